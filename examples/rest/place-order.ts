// Chronicle over plain REST, with a client generated from its OpenAPI document: an admin puts
// a product in the catalog, then a shopper registers, logs in, orders it and follows the order
// until the workers settle it. Every error is narrowed by its `code`, with no casts.
//
//   pnpm exec openapi-typescript http://localhost:8000/openapi.json -o chronicle-api.generated.ts
//   CHRONICLE_URL=http://localhost:8000 CHRONICLE_ADMIN_EMAIL=… CHRONICLE_ADMIN_PASSWORD=… \
//     node examples/rest/place-order.ts
import { randomUUID } from 'node:crypto';
import createClient from 'openapi-fetch';
import type { paths } from './chronicle-api.generated.ts';

const baseUrl = process.env.CHRONICLE_URL ?? 'http://localhost:8000';
const adminEmail = process.env.CHRONICLE_ADMIN_EMAIL ?? 'admin@example.com';
const adminPassword = process.env.CHRONICLE_ADMIN_PASSWORD ?? 'change me, admin';

const api = createClient<paths>({ baseUrl });

function fail(what: string, error: { code: string; message: string }): never {
  console.error(`${what}: ${error.code}: ${error.message}`);
  process.exit(1);
}

async function logIn(email: string, password: string): Promise<string> {
  const { data, error } = await api.POST('/auth/login', { body: { email, password } });
  if (error) {
    // A 429 means the login limits stepped in: wait, do not retry at once.
    if (error.code === 'TOO_MANY_REQUESTS') fail('login refused for now', error);
    fail(`login as ${email}`, error);
  }
  return data.token;
}

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

// 1. The admin adds a product; adding it twice is a conflict the caller can tell apart.
const adminToken = await logIn(adminEmail, adminPassword);
const name = `Kopi luwak ${randomUUID().slice(0, 8)}`;
const created = await api.POST('/product', {
  headers: auth(adminToken),
  body: { name, price: '12.50', stock: 3, description: 'A bag of 250 g' },
});
if (created.error) fail('create product', created.error);
const product = created.data.product;
console.log(`${created.response.status} created ${product.name} at ${product.price}`);

const again = await api.POST('/product', {
  headers: auth(adminToken),
  body: { name, price: '12.50', stock: 3 },
});
if (again.error?.code !== 'CONFLICT') {
  console.error('a second product with the same name was not refused as CONFLICT');
  process.exit(1);
}
console.log(`${again.response.status} ${again.error.code}: ${again.error.message}`);

// 2. A shopper registers (or already has an account), logs in and orders.
const email = `shopper-${randomUUID()}@example.com`;
const password = 'correct horse battery staple';
const registered = await api.POST('/auth/register', { body: { email, password } });
if (registered.error && registered.error.code !== 'CONFLICT') fail('register', registered.error);
const token = await logIn(email, password);

const invalid = await api.POST('/order', {
  headers: auth(token),
  body: { items: [{ id: product.id, quantity: 0 }] },
});
if (invalid.error?.code === 'BAD_REQUEST') {
  // Field-level problems, for forms: where (path) and what (message).
  for (const issue of invalid.error.issues ?? [])
    console.log(`${invalid.response.status} ${issue.path.join('.')}: ${issue.message}`);
}

const key = randomUUID();
const placed = await api.POST('/order', {
  params: { header: { 'Idempotency-Key': key } },
  headers: auth(token),
  body: { items: [{ id: product.id, quantity: 2 }] },
});
if (placed.error) fail('place order', placed.error);
console.log(`${placed.response.status} order ${placed.data.order.id} ${placed.data.order.status}`);

// Retrying with the same key is safe: the same order comes back.
const replay = await api.POST('/order', {
  params: { header: { 'Idempotency-Key': key } },
  headers: auth(token),
  body: { items: [{ id: product.id, quantity: 2 }] },
});
if (replay.error) fail('replay order', replay.error);
if (replay.data.order.id !== placed.data.order.id) {
  console.error('the retried order is a different order');
  process.exit(1);
}

const deadline = Date.now() + 30_000;
for (;;) {
  const { data, error } = await api.GET('/order/{id}', {
    params: { path: { id: placed.data.order.id } },
    headers: auth(token),
  });
  if (error) fail('read order', error);
  if (data.order.status !== 'PENDING') {
    console.log(`final: ${data.order.status}, total ${data.order.total}`);
    break;
  }
  if (Date.now() > deadline) {
    console.error('the order is still PENDING after 30 s: is a worker running?');
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}
