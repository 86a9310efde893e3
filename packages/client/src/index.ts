// Typed client for the Chronicle API (tRPC + superjson). Types come from the server's router;
// no server code is imported at run time.
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '@chronicle/api';

export type { AppRouter };

export interface ChronicleClientOptions {
  /** Base URL of the API, e.g. http://localhost:8000 */
  url: string;
  /** A fixed bearer token. */
  token?: string;
  /** Returns the bearer token to send, if any, for each request (wins over `token`). */
  getToken?: () => string | undefined | Promise<string | undefined>;
  headers?: Record<string, string>;
  /** Calls per batched HTTP request; keep at or below the server's TRPC_MAX_BATCH_SIZE. */
  maxBatchSize?: number;
}

export interface ChronicleErrorInfo {
  code: string;
  httpStatus: number | undefined;
  message: string;
  /** Field-level validation problems (zod issues), when the input was rejected. */
  issues: unknown[] | undefined;
  /** Seconds to wait before retrying, when rate limited. */
  retryAfter: number | undefined;
}

/** True for an error the API returned (as opposed to a network failure). */
export function isChronicleError(error: unknown): error is TRPCClientError<AppRouter> {
  return error instanceof TRPCClientError;
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

const FINAL = new Set(['CONFIRMED', 'REJECTED', 'CANCELLED', 'FAILED']);

export function createChronicleClient(options: ChronicleClientOptions) {
  let storedToken = options.token;
  const trpc = createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${options.url.replace(/\/+$/, '')}/trpc`,
        transformer: superjson,
        maxItems: options.maxBatchSize ?? 10,
        async headers() {
          const headers: Record<string, string> = { ...options.headers };
          const token = (await options.getToken?.()) ?? storedToken;
          if (token) headers.authorization = `Bearer ${token}`;
          return headers;
        },
      }),
    ],
  });

  return withHelpers(trpc, {
    /** Logs in and keeps the token for every later call of this client. */
    async login(credentials: { email: string; password: string }) {
      const session = await trpc.auth.login.mutate(credentials);
      storedToken = session.token;
      return session;
    },
    /** Forgets the stored token. */
    logout() {
      storedToken = undefined;
    },
    /**
     * Resolves with the order once it reaches a final status (CONFIRMED, REJECTED, CANCELLED or
     * FAILED), polling every `intervalMs`; rejects after `timeoutMs` or when `signal` aborts.
     */
    async waitForOrder(
      id: string,
      {
        timeoutMs = 30_000,
        intervalMs = 250,
        signal,
      }: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
    ) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        signal?.throwIfAborted();
        const { order } = await trpc.order.get.query({ id }, signal ? { signal } : {});
        if (FINAL.has(order.status)) return order;
        if (Date.now() + intervalMs > deadline) {
          throw new Error(`Order ${id} is still ${order.status} after ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    },
  });
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

export type ChronicleClient = ReturnType<typeof createChronicleClient>;
