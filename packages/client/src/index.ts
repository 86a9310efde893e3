// Typed client for the Chronicle API: tRPC + superjson over HTTP (batched), live order status
// over server-sent events. Its types come from router.generated.ts, so nothing of the server is
// needed to use it, at run time or at compile time.
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
  type TRPCClient,
} from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { EventSource } from 'eventsource';
import superjson from 'superjson';
import { finalOrderStatuses, type AppRouter } from './router.generated.ts';

export type { AppRouter };
/** Every procedure's input, e.g. `RouterInputs['order']['create']`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Every procedure's output, e.g. `RouterOutputs['product']['get']['product']`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type Order = RouterOutputs['order']['get']['order'];
export type OrderStatus = Order['status'];
export type Product = RouterOutputs['product']['get']['product'];

type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface ChronicleClientOptions {
  /** Base URL of the API, e.g. http://localhost:8000 */
  url: string;
  /** A fixed bearer token. */
  token?: string;
  /** Returns the bearer token to send, if any, for each request (wins over `token`). */
  getToken?: () => string | undefined | Promise<string | undefined>;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /** The fetch to use (default: the global one), e.g. to add tracing or a custom agent. */
  fetch?: FetchLike;
  /** Calls per batched HTTP request; keep at or below the server's TRPC_MAX_BATCH_SIZE. */
  maxBatchSize?: number;
}

export interface ChronicleErrorInfo {
  code: string;
  httpStatus: number | undefined;
  message: string;
  /** Field-level validation problems (zod issues), when the input was rejected. */
  issues: { code: string; path: (string | number)[]; message: string }[] | undefined;
  /** Seconds to wait before retrying, when rate limited. */
  retryAfter: number | undefined;
}

/** True for an error the API returned (as opposed to a network failure or a timeout). */
export function isChronicleError(error: unknown): error is TRPCClientError<AppRouter> {
  return error instanceof TRPCClientError && error.data !== undefined && error.data !== null;
}

/** The API's error code, status, issues and retry-after, or undefined for other errors. */
export function chronicleErrorInfo(error: unknown): ChronicleErrorInfo | undefined {
  if (!isChronicleError(error) || !error.data) return undefined;
  const data = error.data;
  return {
    code: data.code,
    httpStatus: data.httpStatus,
    message: error.message,
    issues: data.issues,
    retryAfter: data.retryAfter,
  };
}

const FINAL: ReadonlySet<OrderStatus> = new Set(finalOrderStatuses);

/** True once an order can no longer change by itself (CANCELLED may still follow CONFIRMED). */
export function isFinalStatus(status: OrderStatus): boolean {
  return FINAL.has(status);
}

export interface WaitForOrderOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Stop waiting when this aborts. */
  signal?: AbortSignal;
  /** Poll interval when live updates are unavailable (default 500 ms). */
  intervalMs?: number;
  /** Called with each status the order passes through. */
  onUpdate?: (order: Order) => void;
}

/** What the client adds to the procedures. */
export interface ChronicleHelpers {
  /** Logs in and keeps the token for every later call of this client. */
  login(credentials: RouterInputs['auth']['login']): Promise<RouterOutputs['auth']['login']>;
  /** Forgets the stored token. */
  logout(): void;
  /**
   * Resolves with the order once it reaches a final status (CONFIRMED, REJECTED, CANCELLED or
   * FAILED). Follows the live stream (`order.watch`); where streaming is unavailable it polls
   * `order.get` instead. Rejects after `timeoutMs`, when `signal` aborts, or with the API's
   * error (e.g. NOT_FOUND for an order that is not yours).
   */
  waitForOrder(id: string, options?: WaitForOrderOptions): Promise<Order>;
}

/** Every procedure (`client.order.create.mutate(…)`, …) plus the helpers. */
export type ChronicleClient = TRPCClient<AppRouter> & ChronicleHelpers;

/** Live updates could not be used (no stream, or the stream broke): polling takes over. */
class StreamUnavailable extends Error {}

export function createChronicleClient(options: ChronicleClientOptions): ChronicleClient {
  const baseUrl = `${options.url.replace(/\/+$/, '')}/trpc`;
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  let storedToken = options.token;

  async function requestHeaders(): Promise<Record<string, string>> {
    const headers: Record<string, string> = { ...options.headers };
    const token = (await options.getToken?.()) ?? storedToken;
    if (token) headers.authorization = `Bearer ${token}`;
    return headers;
  }

  const trpc = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        // Server-sent events; the `eventsource` package lets a Node client send the token as
        // a header (a browser's EventSource cannot), so it never appears in a URL or a log.
        true: httpSubscriptionLink({
          url: baseUrl,
          transformer: superjson,
          EventSource,
          eventSourceOptions: async () => {
            const headers = await requestHeaders();
            return {
              fetch: (input, init) =>
                fetchImpl(input, { ...init, headers: { ...init.headers, ...headers } }),
            };
          },
        }),
        false: httpBatchLink({
          url: baseUrl,
          transformer: superjson,
          maxItems: options.maxBatchSize ?? 10,
          fetch: (input, init) => fetchImpl(input as string, init as RequestInit),
          headers: requestHeaders,
        }),
      }),
    ],
  });

  /** Follows the live stream until a final status; rejects with StreamUnavailable if it cannot. */
  function watchUntilFinal(
    id: string,
    signal: AbortSignal,
    onUpdate: ((order: Order) => void) | undefined,
  ): Promise<Order> {
    return new Promise<Order>((resolve, reject) => {
      const subscription = trpc.order.watch.subscribe(
        { id },
        {
          signal,
          onData(order) {
            onUpdate?.(order);
            if (FINAL.has(order.status)) {
              resolve(order);
              subscription.unsubscribe();
            }
          },
          onError(error: unknown) {
            // An answer from the API (not found, not yours, signed out) is final, except "too
            // many open streams": polling still works then. Anything else means the stream
            // itself failed.
            reject(
              isChronicleError(error) && error.data?.code !== 'TOO_MANY_REQUESTS'
                ? error
                : new StreamUnavailable(String(error)),
            );
            subscription.unsubscribe();
          },
          onConnectionStateChange(state) {
            if (state.state === 'connecting' && state.error) {
              reject(new StreamUnavailable(state.error.message));
              subscription.unsubscribe();
            }
          },
          onComplete() {
            reject(new StreamUnavailable('the stream ended before a final status'));
          },
        },
      );
      signal.addEventListener(
        'abort',
        () => {
          subscription.unsubscribe();
          reject(signal.reason as Error);
        },
        { once: true },
      );
    });
  }

  async function pollUntilFinal(
    id: string,
    signal: AbortSignal,
    intervalMs: number,
    onUpdate: ((order: Order) => void) | undefined,
  ): Promise<Order> {
    let last: OrderStatus | undefined;
    for (;;) {
      signal.throwIfAborted();
      const { order } = await trpc.order.get.query({ id }, { signal });
      if (order.status !== last) onUpdate?.(order);
      last = order.status;
      if (FINAL.has(order.status)) return order;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
    }
  }

  const helpers: ChronicleHelpers = {
    async login(credentials) {
      const session = await trpc.auth.login.mutate(credentials);
      storedToken = session.token;
      return session;
    },
    logout() {
      storedToken = undefined;
    },
    async waitForOrder(id, waitOptions = {}) {
      const { timeoutMs = 30_000, intervalMs = 500, signal, onUpdate } = waitOptions;
      const timeout = AbortSignal.timeout(timeoutMs);
      const stop = signal ? AbortSignal.any([signal, timeout]) : timeout;
      try {
        try {
          return await watchUntilFinal(id, stop, onUpdate);
        } catch (error) {
          if (!(error instanceof StreamUnavailable)) throw error;
          return await pollUntilFinal(id, stop, intervalMs, onUpdate);
        }
      } catch (error) {
        if (timeout.aborted && !signal?.aborted) {
          throw new Error(`Order ${id} did not reach a final status within ${timeoutMs} ms`, {
            cause: error,
          });
        }
        throw error;
      }
    },
  };
  return withHelpers(trpc, helpers);
}

/**
 * The tRPC client is a Proxy that turns every property into a procedure path, so the helpers
 * are served by a Proxy in front of it; the result has both sets of members.
 */
function withHelpers<C extends object, H extends object>(client: C, helpers: H): C & H {
  const merged = new Proxy(client, {
    get: (target, prop, receiver) =>
      Reflect.has(helpers, prop) ? Reflect.get(helpers, prop) : Reflect.get(target, prop, receiver),
  });
  // A Proxy's type is its target's; the get trap above is what adds H's members.
  return merged as C & H;
}
