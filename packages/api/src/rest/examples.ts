// Values the procedures' `meta.example` share, so the OpenAPI document's examples tell one
// consistent story (the same user places an order for the same product). rest/openapi.ts checks
// every example against its procedure's schemas.
import type { Order, Product, PublicUser } from '@chronicle/core';

const CREATED = new Date('2026-12-01T09:30:00.000Z');
const UPDATED = new Date('2026-12-01T09:45:00.000Z');

export const exampleUser: PublicUser = {
  id: '3f0c9a52-6a4e-4c1b-9f59-1d0f4c2b7e11',
  email: 'ada@example.com',
  role: 'USER',
  createdAt: CREATED,
};

export const examplePassword = 'correct horse battery';

export const exampleProduct: Product = {
  id: '8d2e4f6a-1b3c-4d5e-8f70-9a1b2c3d4e5f',
  name: 'Espresso cup',
  description: 'Porcelain, 90 ml',
  price: '12.50',
  stock: 40,
  createdAt: CREATED,
  updatedAt: UPDATED,
};

export const exampleOrder: Order = {
  id: 'c6b1f0d2-7e8a-4b9c-a1d2-e3f405162738',
  userId: exampleUser.id,
  status: 'PENDING',
  total: '25.00',
  reasonCode: null,
  reason: null,
  items: [
    { productId: exampleProduct.id, name: exampleProduct.name, quantity: 2, unitPrice: '12.50' },
  ],
  createdAt: CREATED,
  updatedAt: CREATED,
  processedAt: null,
  cancelledAt: null,
};
