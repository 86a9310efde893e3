export { testEnv } from './env.ts';
export { createEmptyDatabase, createTestDatabase, type TestDatabase } from './database.ts';
export { createTestRedis, deleteRedisKeys, type TestRedis } from './redis.ts';
export { waitFor } from './wait.ts';
export { runProcess, type LogLine, type RunningProcess } from './process.ts';
export { startPrivateRedis } from './redis-server.ts';
export { compileContract, contractOf, type Contract } from './contract.ts';
export {
  openTestApiDeps,
  startTestApp,
  testEnvFor,
  TEST_JWT_SECRET,
  useTestApp,
  type TestApp,
} from './app.ts';
export {
  createProduct,
  expectStatus,
  http,
  openShop,
  signIn,
  type Method,
  type RequestOptions,
  type RestBody,
  type RestResponse,
  type UntypedResponse,
} from './http.ts';
