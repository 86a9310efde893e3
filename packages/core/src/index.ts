export { coreEnvSchema, type CoreEnv } from './env.ts';
export {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  type DomainErrorKind,
} from './errors.ts';
export { createLogger, redactedPaths, type Logger } from './logger.ts';
export { runMain, stopOnSignals } from './process.ts';
export { createQueue, QUEUE_SCHEMA, type PgBoss } from './queue.ts';
export { createRedis, pingRedis, type Redis } from './redis.ts';
export { hashPassword, verifyPassword } from './user/password.ts';
export * from './user/user.schema.ts';
export {
  createOrPromoteAdmin,
  findUser,
  listUsers,
  publicUserSelect,
  registerUser,
  setUserRole,
  verifyCredentials,
} from './user/user.service.ts';
