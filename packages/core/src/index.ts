export { adminCreate } from './cli/admin-create.ts';
export { coreEnvSchema, type CoreEnv } from './env.ts';
export {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  type DomainErrorKind,
} from './errors.ts';
export { createLogger, type Logger } from './logger.ts';
export { freePort } from './free-port.ts';
export { openApiPathPattern } from './openapi-path.ts';
export { runMain, stopOnSignals } from './process.ts';
export {
  createServices,
  type OrderObserver,
  type ServiceResources,
  type Services,
} from './services.ts';
export { createQueue, QUEUE_SCHEMA, type PgBoss } from './queue.ts';
export { createCacheRedis, createRedis, pingRedis, type Redis } from './redis.ts';
export { hashPassword, verifyPassword } from './user/password.ts';
export * from './user/user.schema.ts';
export {
  createOrPromoteAdmin,
  findUser,
  listUsers,
  registerUser,
  setUserRole,
  verifyCredentials,
} from './user/user.service.ts';
export * from './product/money.ts';
export * from './product/product.schema.ts';
export {
  createProduct,
  deleteProduct,
  findLiveProduct,
  listProducts,
  updateProduct,
} from './product/product.service.ts';
export { lockProducts, type LockedProduct } from './product/product.lock.ts';
export {
  cacheStatuses,
  createCatalogCache,
  memoryCacheStore,
  redisCacheStore,
  type CacheStatus,
  type CacheStore,
  type Cached,
  type CatalogCache,
  type CatalogCacheStats,
} from './product/product.cache.ts';
export { booleanParam, displayText, exact } from './schema-helpers.ts';
export { failOrder, fulfilOrders, type FulfilmentOutcome } from './order/fulfilment.ts';
export {
  ensureOrderQueues,
  ORDER_DEAD_LETTER_QUEUE,
  ORDER_QUEUE,
  type OrderJob,
} from './order/order.queue.ts';
export {
  createOrderEvents,
  orderChanges,
  type OrderEvents,
  type OrderStatusEvent,
  type OrderStatusListener,
} from './order/order.events.ts';
export * from './order/order.schema.ts';
export { finalOrderStatuses, type FinalOrderStatus } from './order/order.status.ts';
export {
  cancelOrder,
  getOrder,
  listOrders,
  mergeLines,
  placeOrder,
  type CancelledOrder,
  type PlacedOrder,
} from './order/order.service.ts';
export {
  Counter,
  createBaseMetrics,
  Gauge,
  Histogram,
  serveMetrics,
  type BaseMetrics,
} from './metrics.ts';
