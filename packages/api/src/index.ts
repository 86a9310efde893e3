export { createApp, type AppState } from './app.ts';
export { signAccessToken } from './auth/jwt.ts';
export { createApiDeps, closeApiDeps, type ApiDeps, type ApiRuntime } from './deps.ts';
export { apiEnvSchema, loadApiEnv, type ApiEnv } from './env.ts';
export type { AppRouter } from './routers/app.router.ts';
export { appRouter, createCaller } from './routers/app.router.ts';
export { openApiDocument } from './rest/rest.ts';
export { startServer, type RunningServer } from './server.ts';
export { createInnerContext, type InnerContext } from './trpc/context.ts';
