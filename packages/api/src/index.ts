export { createApp } from './app.ts';
export { signAccessToken } from './auth/jwt.ts';
export { createApiDeps, type ApiDeps } from './deps.ts';
export { apiEnvSchema, loadApiEnv, type ApiEnv } from './env.ts';
export type { AppRouter } from './routers/app.router.ts';
export { appRouter, createCaller } from './routers/app.router.ts';
export { openApiDocument } from './rest/rest.ts';
export { startServer } from './server.ts';
export { createInnerContext } from './trpc/context.ts';
