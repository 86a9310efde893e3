// The tests' one HTTP helper. `http` sends a request to a running API and reads the whole
// answer; every answer is checked against the OpenAPI document that server serves (status
// declared, body matching that status's schema), so every REST call a test makes is also a
// contract test. Its result is typed by the same document (rest-api.generated.ts, written by
// `pnpm rest:types`): for a documented method and route, `json` is the union of the documented
// bodies, one per status, and narrowing on `status` (or `expectStatus`) gives that status's body.
import { AssertionError } from 'node:assert';
import type { TestApp } from './app.ts';
import { assertContract } from './contract.ts';
import type { paths } from './rest-api.generated.ts';

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'OPTIONS' | 'HEAD' | 'PATCH' | 'TRACE';

/** A documented route, as the document writes it (`/product/{id}`). */
type PathTemplate = keyof paths;

/** The routes a template stands for: each `{param}` becomes any text. */
type RouteOf<T extends string> = T extends `${infer Head}{${string}}${infer Tail}`
  ? `${Head}${string}${RouteOf<Tail>}`
  : T;

type OperationOf<M extends Method, P extends PathTemplate> = paths[P][Lowercase<M>];

/**
 * The documented templates that `route` (with or without a query string) can be, for `method`.
 * A parameter stands for any text, slashes included, so `/order/1/cancel` would also fit a
 * `/order/{id}` operation of the same method; no two documented operations overlap that way.
 */
type TemplateOf<M extends Method, R extends string> = {
  [P in PathTemplate]: OperationOf<M, P> extends { responses: object }
    ? R extends RouteOf<P> | `${RouteOf<P>}?${string}`
      ? P
      : never
    : never;
}[PathTemplate];

interface Answer {
  headers: Headers;
  /** The body as received. */
  text: string;
}

type JsonOf<Response> = Response extends { content: { 'application/json': infer Json } }
  ? Json
  : undefined;

type Variants<Responses> = {
  [S in keyof Responses]: Answer & {
    status: S extends number ? S : number;
    json: JsonOf<Responses[S]>;
  };
}[keyof Responses];

/** The answers `method` on the template `P` documents: one variant per status. */
export type RestResponse<M extends Method, P extends PathTemplate> = P extends PathTemplate
  ? OperationOf<M, P> extends { responses: infer Responses }
    ? Variants<Responses>
    : never
  : never;

/** The answer to a route the document does not describe (`/healthz`, `/trpc/…`, …). */
export interface UntypedResponse extends Answer {
  status: number;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
}

/** What `http(server, method, route)` resolves to. */
type ResponseFor<M extends Method, R extends string> = M extends Method
  ? R extends string
    ? [TemplateOf<M, R>] extends [never]
      ? UntypedResponse
      : RestResponse<M, TemplateOf<M, R>>
    : never
  : never;

/** The documented body of `method` on `P` for `status`. */
export type RestBody<
  M extends Method,
  P extends PathTemplate,
  S extends RestResponse<M, P>['status'],
> = Extract<RestResponse<M, P>, { status: S }>['json'];

export interface RequestOptions {
  /**
   * Sent as JSON, with `Content-Type: application/json`. Deliberately not typed by the
   * document: tests send malformed input on purpose, and the server is what judges it.
   */
  body?: unknown;
  /** Sent exactly as given (malformed JSON, another media type): set `Content-Type` in `headers`. */
  rawBody?: string | undefined;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Added last, so they win over the two above. */
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
}

/** Sends one request to the API at `server.url` and checks its answer against the API's contract. */
export async function http<const M extends Method, const R extends string>(
  server: { url: string },
  method: M,
  route: R,
  options: RequestOptions = {},
): Promise<ResponseFor<M, R>> {
  const { body, rawBody, token, headers, signal } = options;
  const json = body !== undefined;
  const res = await fetch(`${server.url}${route}`, {
    method,
    headers: {
      ...(json ? { 'content-type': 'application/json' } : {}),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    ...(json ? { body: JSON.stringify(body) } : rawBody === undefined ? {} : { body: rawBody }),
    ...(signal ? { signal } : {}),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  await assertContract(server.url, {
    method,
    path: new URL(route, server.url).pathname,
    status: res.status,
    contentType: res.headers.get('content-type'),
    json: parsed,
  });
  const response: UntypedResponse = {
    status: res.status,
    headers: res.headers,
    text,
    json: parsed,
  };
  // The contract check above has just shown that the status is one the document declares and
  // the body matches that status's schema: what the type says.
  return response as ResponseFor<M, R>;
}

type WithStatus<R extends { status: number }, S extends number> = R extends { status: S }
  ? R
  : number extends R['status']
    ? R
    : never;

/**
 * `res`, narrowed to the given status (or statuses); fails the test, showing the body, when it
 * has another.
 */
export function expectStatus<R extends { status: number; text: string }, S extends R['status']>(
  res: R,
  ...statuses: [S, ...S[]]
): WithStatus<R, S> {
  if (!statuses.some((status) => status === res.status)) {
    throw new AssertionError({
      message: `expected status ${statuses.join(' or ')}, got ${String(res.status)}: ${res.text.slice(0, 2_000)}`,
      actual: res.status,
      expected: statuses.length === 1 ? statuses[0] : statuses,
      operator: 'strictEqual',
    });
  }
  return res as WithStatus<R, S>;
}

let accounts = 0;

/** An account signed in through the API: its token, id and email. */
interface SignedIn {
  token: string;
  id: string;
  email: string;
}

/**
 * Registers a fresh account through the API (promoting it to ADMIN in the database if asked)
 * and logs it in.
 */
export async function signIn(
  app: Pick<TestApp, 'url' | 'deps'>,
  role: 'USER' | 'ADMIN' = 'USER',
): Promise<SignedIn> {
  accounts += 1;
  const email = `${role.toLowerCase()}-${accounts}-${process.pid}@example.com`;
  const password = 'correct horse battery';
  const registered = await http(app, 'POST', '/auth/register', { body: { email, password } });
  const { id } = expectStatus(registered, 201).json.user;
  if (role === 'ADMIN') await app.deps.db.user.update({ where: { id }, data: { role: 'ADMIN' } });
  const login = await http(app, 'POST', '/auth/login', { body: { email, password } });
  return { token: expectStatus(login, 200).json.token, id, email };
}

/** An admin, a shopper and a product that admin created (its id): where most order tests start. */
export async function openShop(
  app: Pick<TestApp, 'url' | 'deps'>,
  product: Parameters<typeof createProduct>[2],
): Promise<{ admin: SignedIn; shopper: SignedIn; product: string }> {
  const admin = await signIn(app, 'ADMIN');
  const shopper = await signIn(app);
  return { admin, shopper, product: await createProduct(app, admin.token, product) };
}

/** Creates a product through the API as the admin `token` belongs to; resolves with its id. */
export async function createProduct(
  app: { url: string },
  token: string,
  body: { name: string; price: number | string; stock: number; description?: string },
): Promise<string> {
  const res = await http(app, 'POST', '/product', { body, token });
  return expectStatus(res, 201).json.product.id;
}
