// The application's services, built once per process from its resources. Each operation does
// its work in the database and then, after commit, its own side effects: catalog cache
// invalidation and the order metrics. Routers and job handlers make one call each. Orders are
// placed by group commit (order/order.accept.ts): one acceptor per process.
import type { PgBoss } from 'pg-boss';
import type { Db } from '@chronicle/db';
import type { Logger } from './logger.ts';
import type { Redis } from './redis.ts';
import { createBatchLoader } from './batch.ts';
import { NotFoundError } from './errors.ts';
import { createOrderAcceptor, type PlacedOrder } from './order/order.accept.ts';
import { failOrder, fulfilOrders, type FulfilmentOutcome } from './order/fulfilment.ts';
import type { CreateOrderInput, ListOrdersInput, Order, OrderScope } from './order/order.schema.ts';
import { cancelOrder, getOrder, listOrders } from './order/order.service.ts';
import type { Page } from './page.ts';
import type { FinalOrderStatus } from './order/order.status.ts';
import type { Cached, CatalogCache } from './product/product.cache.ts';
import type {
  CreateProductInput,
  ListProductsInput,
  Product,
  ProductPage,
  UpdateProductInput,
} from './product/product.schema.ts';
import { createProduct, deleteProduct, updateProduct } from './product/product.service.ts';
import type { PublicUser, RoleName } from './user/user.schema.ts';
import {
  findUsers,
  listUsers,
  registerUser,
  setUserRole,
  verifyCredentials,
} from './user/user.service.ts';

/** What a process wants to hear about orders, after commit (its metrics). */
export interface OrderObserver {
  accepted?(order: Order): void;
  /** This many order creates were written together, in one transaction (group commit). */
  grouped?(size: number): void;
  /** An order reached a final status in this process; `createdAt` is when it was accepted. */
  finished?(status: FinalOrderStatus, createdAt: Date): void;
}

export interface Services {
  orders: {
    place(userId: string, input: CreateOrderInput): Promise<PlacedOrder>;
    get(scope: OrderScope, id: string): Promise<Order>;
    list(scope: OrderScope, input: ListOrdersInput): Promise<Page<Order>>;
    cancel(scope: OrderScope, id: string): Promise<Order>;
    /** Settles PENDING orders in one transaction (see fulfilOrders); an outcome per id. */
    fulfil(ids: readonly string[]): Promise<Map<string, FulfilmentOutcome>>;
    /** Marks an order FAILED (its job used up its retries); false when it was already final. */
    fail(id: string, reason: string): Promise<boolean>;
  };
  products: {
    get(id: string): Promise<Cached<Product>>;
    list(input: ListProductsInput): Promise<Cached<ProductPage>>;
    create(input: CreateProductInput, actorId: string): Promise<Product>;
    update(input: UpdateProductInput, actorId: string): Promise<Product>;
    remove(id: string): Promise<void>;
  };
  users: {
    find(id: string): Promise<PublicUser | null>;
    register(
      input: Parameters<typeof registerUser>[1],
      policy: Parameters<typeof registerUser>[2],
    ): Promise<PublicUser>;
    verifyCredentials(email: string, password: string): Promise<PublicUser | null>;
    list(input: Parameters<typeof listUsers>[1]): Promise<Page<PublicUser>>;
    setRole(id: string, role: RoleName): Promise<PublicUser>;
  };
  /** Answers every order already accepted, then refuses new ones; before the pools close. */
  close(): Promise<void>;
}

/**
 * What one process holds: its pools and clients, the catalog cache, and the services on them
 * (@chronicle/runtime opens them; the API and the worker build on them).
 */
export interface ProcessResources {
  logger: Logger;
  db: Db;
  /** Rate limits and readiness; undefined in local mode (no REDIS_URL) and in workers. */
  redis: Redis | undefined;
  /** The catalog cache's Redis (the same client unless REDIS_CACHE_URL is set). */
  cacheRedis: Redis | undefined;
  queue: PgBoss;
  catalog: CatalogCache;
  services: Services;
  /** Adds a listener for order events (metrics) to every service of this process. */
  observe(observer: OrderObserver): void;
}

export interface ServiceResources {
  db: Db;
  queue: PgBoss;
  catalog: CatalogCache;
  logger: Logger;
  /** Every observer hears every order event (e.g. the API's and a local worker's metrics). */
  observers?: readonly OrderObserver[];
}

export function createServices({
  db,
  queue,
  catalog,
  logger,
  observers = [],
}: ServiceResources): Services {
  const accepted = (order: Order) => {
    for (const observer of observers) observer.accepted?.(order);
  };
  const finished = (status: FinalOrderStatus, createdAt: Date) => {
    for (const observer of observers) observer.finished?.(status, createdAt);
  };
  const acceptor = createOrderAcceptor({
    db,
    queue,
    logger,
    onGroup: (size) => {
      for (const observer of observers) observer.grouped?.(size);
    },
  });
  // Every authenticated request reads its user (role changes and deletions apply at once);
  // concurrent requests share one query, never a read older than the request (batch.ts).
  const findUser = createBatchLoader((ids: readonly string[]) => findUsers(db, ids));

  return {
    orders: {
      async place(userId, input) {
        const placed = await acceptor.place(userId, input);
        if (!placed.replayed) accepted(placed.order);
        return placed;
      },
      get: (scope, id) => getOrder(db, scope, id),
      list: (scope, input) => listOrders(db, scope, input),
      async cancel(scope, id) {
        const { order, restocked } = await cancelOrder(db, scope, id);
        await catalog.invalidateProducts(restocked);
        finished('CANCELLED', order.createdAt);
        return order;
      },
      async fulfil(ids) {
        const outcomes = await fulfilOrders(db, ids);
        const confirmed = new Set<string>();
        for (const outcome of outcomes.values()) {
          if (outcome.kind === 'CONFIRMED') for (const id of outcome.productIds) confirmed.add(id);
        }
        await catalog.invalidateProducts([...confirmed]);
        for (const outcome of outcomes.values()) {
          if (outcome.kind !== 'SKIPPED') finished(outcome.kind, outcome.createdAt);
        }
        return outcomes;
      },
      async fail(id, reason) {
        const createdAt = await failOrder(db, id, reason);
        if (createdAt) finished('FAILED', createdAt);
        return createdAt !== null;
      },
    },
    products: {
      async get(id) {
        const { value, cache } = await catalog.getProduct(id);
        if (!value) throw new NotFoundError('Product not found');
        return { value, cache };
      },
      list: (input) => catalog.listProducts(input),
      async create(input, actorId) {
        const created = await createProduct(db, input, actorId);
        await catalog.invalidateForAdminWrite(created.id);
        return created;
      },
      async update(input, actorId) {
        const updated = await updateProduct(db, input, actorId);
        await catalog.invalidateForAdminWrite(updated.id);
        return updated;
      },
      async remove(id) {
        await deleteProduct(db, id);
        await catalog.invalidateForAdminWrite(id);
      },
    },
    users: {
      find: async (id) => (await findUser(id)) ?? null,
      register: (input, policy) => registerUser(db, input, policy),
      verifyCredentials: (email, password) => verifyCredentials(db, email, password),
      list: (input) => listUsers(db, input),
      setRole: (id, role) => setUserRole(db, id, role),
    },
    close: () => acceptor.close(),
  };
}
