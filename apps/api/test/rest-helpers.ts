// Small HTTP helpers for the API's tests. Every response they receive is checked against the
// OpenAPI document the server serves (status declared, body matching its schema).
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import superjson from 'superjson';
import { assertContract } from '@chronicle/testing';
import type { AppRouter } from '@chronicle/api';

export interface RestResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export async function rest(
  baseUrl: string,
  method: string,
  route: string,
  body?: unknown,
  token?: string,
  headers: Record<string, string> = {},
): Promise<RestResponse> {
  const res = await fetch(`${baseUrl}${route}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  await assertContract(baseUrl, {
    method,
    path: new URL(route, baseUrl).pathname,
    status: res.status,
    contentType: res.headers.get('content-type'),
    json,
  });
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * A plain tRPC client typed by the server's own router. Not @chronicle/client: that package
 * depends on this one for its tests, and its own behaviour is tested in packages/client.
 */
export function createTrpcClientForTest(url: string, token?: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${url}/trpc`,
        transformer: superjson,
        headers: () => (token === undefined ? {} : { authorization: `Bearer ${token}` }),
      }),
    ],
  });
}

let accounts = 0;

/** Registers a fresh account through the API (promoting it to ADMIN in the database if asked) and logs in. */
export async function signIn(
  app: {
    url: string;
    deps: {
      db: {
        user: {
          update: (args: { where: { email: string }; data: { role: 'ADMIN' } }) => Promise<unknown>;
        };
      };
    };
  },
  role: 'USER' | 'ADMIN' = 'USER',
): Promise<{ token: string; email: string }> {
  accounts += 1;
  const email = `${role.toLowerCase()}${accounts}-${Date.now()}@example.com`;
  const password = 'correct horse battery';
  const registered = await rest(app.url, 'POST', '/auth/register', { email, password });
  if (registered.status !== 201) throw new Error(`register failed: ${registered.text}`);
  if (role === 'ADMIN')
    await app.deps.db.user.update({ where: { email }, data: { role: 'ADMIN' } });
  const login = await rest(app.url, 'POST', '/auth/login', { email, password });
  const { token } = login.json as { token: string };
  return { token, email };
}
