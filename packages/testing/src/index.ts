export { testEnv } from './env.ts';
export { createEmptyDatabase, createTestDatabase, type TestDatabase } from './database.ts';
export { createTestRedis, type TestRedis } from './redis.ts';
export { waitFor, type WaitOptions } from './wait.ts';
export {
  runProcess,
  type LogLine,
  type RunningProcess,
  type RunProcessOptions,
} from './process.ts';
export { startPrivateRedis, type PrivateRedis } from './redis-server.ts';
export {
  assertContract,
  compileContract,
  contractOf,
  type Contract,
  type ObservedResponse,
} from './contract.ts';
export { openTestApiDeps, startTestApp, testEnvFor, TEST_JWT_SECRET, type TestApp } from './app.ts';
