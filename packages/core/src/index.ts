export { adminCreate } from './cli/admin-create.ts';
export { coreEnvSchema, type CoreEnv } from './env.ts';
export { DomainError } from './errors.ts';
export { createLogger, type Logger } from './logger.ts';
export { freePort } from './free-port.ts';
export { openApiPathPattern } from './openapi-path.ts';
export { rows } from './sql.ts';
export { runMain, stopOnSignals } from './process.ts';
export {
  createServices,
  type OrderObserver,
  type ProcessResources,
  type Services,
} from './services.ts';
export { createQueue, QUEUE_SCHEMA } from './queue.ts';
export { createCacheRedis, createRedis, pingRedis, type Redis } from './redis.ts';
export * from './user/user.schema.ts';
export { createOrPromoteAdmin } from './user/user.service.ts';
export * from './product/money.ts';
export * from './product/product.schema.ts';
export { lockProducts } from './product/product.lock.ts';
export {
  cacheStatuses,
  createCatalogCache,
  memoryCacheStore,
  redisCacheStore,
  type CatalogCache,
} from './product/product.cache.ts';
export type { FulfilmentOutcome } from './order/fulfilment.ts';
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
} from './order/order.events.ts';
export * from './order/order.schema.ts';
export { finalOrderStatuses, type FinalOrderStatus } from './order/order.status.ts';
export {
  Counter,
  createBaseMetrics,
  Gauge,
  Histogram,
  serveMetrics,
  type BaseMetrics,
} from './metrics.ts';
