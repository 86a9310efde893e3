export { createApp, type AppState } from './app.ts';
export { signAccessToken } from './auth/jwt.ts';
export { createApiDeps, closeApiDeps, type ApiDeps } from './deps.ts';
export { apiEnvSchema, loadApiEnv, type ApiEnv } from './env.ts';
export type { AppRouter } from './routers/app.router.ts';
export { appRouter } from './routers/app.router.ts';
export { openApiDocument } from './rest/rest.ts';
export { startServer, type RunningServer } from './server.ts';
