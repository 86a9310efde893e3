// A first Chronicle program: register a shopper, log in, pick a product that is in stock, order
// one, and follow the order until the workers settle it (live over SSE, polling as fallback).
//
//   pnpm example        (CHRONICLE_URL=https://… pnpm example for an API elsewhere)
//
// Copy it into your project with `npm install @chronicle/client`; it needs Node 22.12 or newer
// (Node 24 runs .ts files directly).
import { chronicleErrorInfo, createChronicleClient } from '@chronicle/client';

const url = process.env.CHRONICLE_URL ?? `http://localhost:${process.env.PORT ?? '8000'}`;
const email = process.env.CHRONICLE_EMAIL ?? `shopper-${Date.now()}@example.com`;
const password = process.env.CHRONICLE_PASSWORD ?? 'correct horse battery staple';

const api = createChronicleClient({ url });

try {
  // 409 CONFLICT means the account exists already: then just log in.
  await api.auth.register.mutate({ email, password }).catch((error: unknown) => {
    if (chronicleErrorInfo(error)?.code !== 'CONFLICT') throw error;
  });
  const { user } = await api.login({ email, password });
  console.log(`logged in as ${user.email} (${user.role})`);

  const { items } = await api.product.list.query({ inStock: true, limit: 5, sort: 'newest' });
  const product = items[0];
  if (!product) {
    console.log('No product is in stock: an ADMIN has to create one first (see the README).');
    process.exit(1);
  }
  console.log(`ordering 1 × ${product.name} at ${product.price} (${product.stock} in stock)`);

  const { order } = await api.order.create.mutate({ items: [{ id: product.id, quantity: 1 }] });
  const settled = await api.waitForOrder(order.id, {
    timeoutMs: 30_000,
    onUpdate: (update) => {
      console.log(`order ${update.id}: ${update.status}`);
    },
  });
  console.log(`final: ${settled.status}${settled.reason ? ` (${settled.reason})` : ''}`);
} catch (error) {
  // Errors from the API carry a code, the HTTP status and, for bad input, the field issues.
  const info = chronicleErrorInfo(error);
  console.error(info ? `${info.code} (${info.httpStatus}): ${info.message}` : error);
  process.exit(1);
}
