// Every procedure the API offers, over tRPC and (where a route is declared) the REST bridge.
import { router } from '../trpc/trpc.ts';
import { healthRouter } from './health.router.ts';

export const appRouter = router({
  health: healthRouter,
});

export type AppRouter = typeof appRouter;
