// A plain tRPC client typed by the server's own router, for the API's tests. Not
// @chronicle/client: that package depends on this one for its tests, and its own behaviour is
// tested in packages/client.
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '@chronicle/api';

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
