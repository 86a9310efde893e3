// Every procedure the API offers, over tRPC and (where a route is declared) the REST bridge.
import { createCallerFactory, router } from '../trpc/trpc.ts';
import { authRouter } from './auth.router.ts';
import { healthRouter } from './health.router.ts';
import { orderRouter } from './order.router.ts';
import { productRouter } from './product.router.ts';
import { userRouter } from './user.router.ts';

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  user: userRouter,
  product: productRouter,
  order: orderRouter,
});

export type AppRouter = typeof appRouter;

/** Calls procedures directly, without HTTP (scripts, procedure-level tests): `createCaller(createInnerContext(deps))`. */
export const createCaller = createCallerFactory(appRouter);
