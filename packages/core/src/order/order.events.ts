// Live order status: one dedicated PostgreSQL connection per API process LISTENs on the
// "order_status" channel (fed by a trigger on orders, so every status change is announced from
// the transaction that makes it, on commit) and wakes the watchers of that order.
// Redis is not involved: the order path stays on PostgreSQL alone.
import pg from 'pg';
import { z } from 'zod';
import type { Logger } from '../logger.ts';

const ORDER_STATUS_CHANNEL = 'order_status';

/** The payload the orders trigger builds (json_build_object in its migration). */
const orderStatusEvent = z.object({ id: z.string(), userId: z.string(), status: z.string() });

export type OrderStatusEvent = z.output<typeof orderStatusEvent>;

/**
 * Called with the event, or with null when events may have been missed (the listening
 * connection was lost and is back): the watcher should re-read the order.
 */
type OrderStatusListener = (event: OrderStatusEvent | null) => void;

export interface OrderEvents {
  /** Registers a listener for one order's status changes; returns its removal. */
  subscribe(orderId: string, listener: OrderStatusListener): () => void;
  /** Aborted when the process shuts down: watchers end their streams. */
  readonly closed: AbortSignal;
  /** True while the LISTEN connection is up. */
  readonly listening: boolean;
  close(): Promise<void>;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export function createOrderEvents(options: {
  connectionString: string;
  logger: Logger;
  connectTimeoutMs?: number;
}): OrderEvents {
  const { logger } = options;
  const listeners = new Map<string, Set<OrderStatusListener>>();
  const lifetime = new AbortController();
  let client: pg.Client | undefined;
  let listening = false;
  let retryDelay = RECONNECT_MIN_MS;
  let retryTimer: NodeJS.Timeout | undefined;
  let everConnected = false;

  const dispatch = (orderId: string, event: OrderStatusEvent | null) => {
    for (const listener of listeners.get(orderId) ?? []) listener(event);
  };

  const onNotification = (message: pg.Notification) => {
    if (message.channel !== ORDER_STATUS_CHANNEL || !message.payload) return;
    try {
      const event = orderStatusEvent.parse(JSON.parse(message.payload));
      dispatch(event.id, event);
    } catch (error) {
      logger.warn({ err: error, payload: message.payload }, 'unreadable order status event');
    }
  };

  const scheduleReconnect = () => {
    if (lifetime.signal.aborted || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, RECONNECT_MAX_MS);
  };

  const connect = async () => {
    const next = new pg.Client({
      connectionString: options.connectionString,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      application_name: 'chronicle-order-events',
    });
    const lost = (error?: Error) => {
      if (client !== next) return;
      client = undefined;
      listening = false;
      next.removeAllListeners('notification');
      next.end().catch(() => undefined);
      if (lifetime.signal.aborted) return;
      logger.warn(
        { err: error?.message },
        'order status listener lost its connection; reconnecting',
      );
      scheduleReconnect();
    };
    client = next;
    next.on('error', lost);
    next.on('end', () => {
      lost();
    });
    next.on('notification', onNotification);
    try {
      await next.connect();
      await next.query(`LISTEN ${ORDER_STATUS_CHANNEL}`);
    } catch (error) {
      lost(error as Error);
      return;
    }
    if (lifetime.signal.aborted) {
      await next.end().catch(() => undefined);
      return;
    }
    listening = true;
    retryDelay = RECONNECT_MIN_MS;
    if (everConnected) {
      logger.info('order status listener reconnected');
      // Changes committed while we were away were not heard: every watcher re-reads.
      for (const orderId of listeners.keys()) dispatch(orderId, null);
    }
    everConnected = true;
  };

  void connect();

  return {
    subscribe(orderId, listener) {
      let set = listeners.get(orderId);
      if (!set) listeners.set(orderId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(orderId) === set) listeners.delete(orderId);
      };
    },
    closed: lifetime.signal,
    get listening() {
      return listening;
    },
    async close() {
      lifetime.abort();
      clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      listening = false;
      await current?.end().catch(() => undefined);
    },
  };
}

/**
 * Yields once now and then whenever the order may have changed, until `signal` aborts or the
 * events close. Subscribes before the first yield, so a change between the caller's first read
 * and its wait is never missed.
 */
export async function* orderChanges(
  events: OrderEvents,
  orderId: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<void> {
  let dirty = true;
  let wake: (() => void) | undefined;
  const poke = () => {
    dirty = true;
    wake?.();
  };
  const unsubscribe = events.subscribe(orderId, poke);
  const stop = signal ? AbortSignal.any([signal, events.closed]) : events.closed;
  stop.addEventListener('abort', poke);
  try {
    while (!stop.aborted) {
      if (!dirty) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      dirty = false;
      yield;
    }
  } finally {
    unsubscribe();
    stop.removeEventListener('abort', poke);
  }
}
