// Typed client for the Chronicle API (tRPC + superjson). Types come from the server's router;
// no server code is imported at run time.
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '@chronicle/api';

export type { AppRouter };

export interface ChronicleClientOptions {
  /** Base URL of the API, e.g. http://localhost:8000 */
  url: string;
  /** Returns the bearer token to send, if any, for each request. */
  getToken?: () => string | undefined | Promise<string | undefined>;
  headers?: Record<string, string>;
  /** Calls per batched HTTP request; keep at or below the server's TRPC_MAX_BATCH_SIZE. */
  maxBatchSize?: number;
}

export function createChronicleClient(options: ChronicleClientOptions) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${options.url.replace(/\/+$/, '')}/trpc`,
        transformer: superjson,
        maxItems: options.maxBatchSize ?? 10,
        async headers() {
          const headers: Record<string, string> = { ...options.headers };
          const token = await options.getToken?.();
          if (token) headers.authorization = `Bearer ${token}`;
          return headers;
        },
      }),
    ],
  });
}

export type ChronicleClient = ReturnType<typeof createChronicleClient>;
