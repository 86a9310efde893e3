// The data every scenario works on: the bench users with signed tokens, and the catalog.
import type pg from 'pg';
import { signAccessToken } from '@chronicle/api';
import type { JwtEnv, Scale } from './config.ts';

export interface BenchUsers {
  adminToken: string;
  /** One token per ordinary user. */
  tokens: string[];
}

/**
 * Inserts the bench accounts directly and signs them tokens: registering a thousand users would
 * spend minutes hashing passwords, which is not what is measured.
 */
export async function createUsers(
  db: pg.Client,
  users: number,
  jwtEnv: JwtEnv,
): Promise<BenchUsers> {
  const { rows } = await db.query<{ id: string; role: 'USER' | 'ADMIN' }>(
    `INSERT INTO users (id, email, password_hash, role, updated_at)
     SELECT gen_random_uuid(), 'bench-' || g || '@example.com', 'not-a-password-hash',
            (CASE WHEN g = 0 THEN 'ADMIN' ELSE 'USER' END)::"Role", now()
     FROM generate_series(0, $1::int) AS g RETURNING id, role`,
    [users],
  );
  const admin = rows.find((u) => u.role === 'ADMIN');
  if (!admin) throw new Error('no admin');
  return {
    adminToken: signAccessToken(jwtEnv, admin).token,
    tokens: rows.filter((u) => u.role === 'USER').map((u) => signAccessToken(jwtEnv, u).token),
  };
}

export interface Catalog {
  /** The `scale.products` products with ample stock. */
  products: string[];
  /** Two products of `scale.flashStock` each, one per flash-sale scenario. */
  flashProduct: string;
  flashBacklogProduct: string;
}

function productIdOf(body: unknown): string {
  if (typeof body === 'object' && body !== null && 'product' in body) {
    const { product } = body;
    if (typeof product === 'object' && product !== null && 'id' in product) {
      if (typeof product.id === 'string') return product.id;
    }
  }
  throw new Error(`product create: no product id in ${JSON.stringify(body)}`);
}

async function createProduct(apiUrl: string, adminToken: string, i: number, stock: number) {
  const res = await fetch(`${apiUrl}/product`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ name: `bench product ${i}`, price: '9.99', stock }),
  });
  if (res.status !== 201) throw new Error(`product create: ${res.status} ${await res.text()}`);
  return productIdOf(await res.json());
}

/** Creates the catalog through the API, one product after another. */
export async function createCatalog(
  apiUrl: string,
  adminToken: string,
  scale: Scale,
): Promise<Catalog> {
  const products: string[] = [];
  for (let i = 0; i < scale.products + 2; i += 1) {
    const stock = i >= scale.products ? scale.flashStock : 1_000_000;
    products.push(await createProduct(apiUrl, adminToken, i, stock));
  }
  const flashProduct = products.pop();
  const flashBacklogProduct = products.pop();
  if (!flashProduct || !flashBacklogProduct) throw new Error('no flash-sale products');
  return { products, flashProduct, flashBacklogProduct };
}
