// Liveness over tRPC, so typed clients can check the connection.
import { z } from 'zod';
import { publicProcedure, router } from '../trpc/trpc.ts';

export const healthRouter = router({
  live: publicProcedure
    .input(z.void())
    .output(z.object({ status: z.literal('ok') }))
    .query(() => ({ status: 'ok' as const })),
});
