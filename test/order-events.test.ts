// The LISTEN side of live order status, against the real PostgreSQL: the trigger announces
// committed status changes only, and a listener that lost its connection tells its watchers to
// re-read once it is back (changes made meanwhile were not heard).
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger, createOrderEvents, type OrderStatusEvent } from '@chronicle/core';
import { createTestDatabase, type TestDatabase } from '@chronicle/testing';

let database: TestDatabase;
let sql: pg.Client;
const logger = createLogger({ LOG_LEVEL: 'silent' }, 'test');

beforeAll(async () => {
  database = await createTestDatabase();
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
});
afterAll(async () => {
  await sql.end();
  await database.drop();
});

async function newOrder(): Promise<{ id: string; userId: string }> {
  const user = await sql.query<{ id: string }>(
    `INSERT INTO users (id, email, password_hash, updated_at)
     VALUES (gen_random_uuid(), gen_random_uuid() || '@example.com', 'x', now()) RETURNING id`,
  );
  const userId = user.rows[0]?.id ?? '';
  const order = await sql.query<{ id: string }>(
    `INSERT INTO orders (id, user_id, total, updated_at) VALUES (gen_random_uuid(), $1, 0, now())
     RETURNING id`,
    [userId],
  );
  return { id: order.rows[0]?.id ?? '', userId };
}

const setStatus = (id: string, status: string) =>
  sql.query(`UPDATE orders SET status = $2 WHERE id = $1`, [id, status]);

/** A TCP relay to PostgreSQL that can cut every connection and refuse new ones, then heal. */
async function startRelay(target: URL) {
  let broken = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (broken) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    cut() {
      broken = true;
      for (const socket of sockets) socket.destroy();
    },
    heal() {
      broken = false;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('order status events', () => {
  it('hears committed status changes of the subscribed order only, never rolled-back ones', async () => {
    const events = createOrderEvents({ connectionString: database.url, logger });
    try {
      await vi.waitFor(() => {
        expect(events.listening).toBe(true);
      });
      const watched = await newOrder();
      const other = await newOrder();
      const heard: (OrderStatusEvent | null)[] = [];
      const unsubscribe = events.subscribe(watched.id, (event) => heard.push(event));

      await sql.query('BEGIN');
      await setStatus(watched.id, 'CONFIRMED');
      await sql.query('ROLLBACK');
      await setStatus(other.id, 'CONFIRMED');
      await setStatus(watched.id, 'PENDING'); // unchanged: no event
      await setStatus(watched.id, 'CANCELLED');

      await vi.waitFor(() => {
        expect(heard).toEqual([{ id: watched.id, userId: watched.userId, status: 'CANCELLED' }]);
      });
      unsubscribe();
      await setStatus(watched.id, 'PENDING');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(heard).toHaveLength(1);
    } finally {
      await events.close();
    }
  });

  it('after losing its connection, reconnects and asks every watcher to re-read', async () => {
    const relay = await startRelay(new URL(database.url));
    const events = createOrderEvents({ connectionString: relay.url, logger });
    try {
      await vi.waitFor(() => {
        expect(events.listening).toBe(true);
      });
      const order = await newOrder();
      const heard: (OrderStatusEvent | null)[] = [];
      events.subscribe(order.id, (event) => heard.push(event));

      relay.cut();
      await vi.waitFor(() => {
        expect(events.listening).toBe(false);
      });
      // Committed while nobody listens: this NOTIFY is lost for good.
      await setStatus(order.id, 'CONFIRMED');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(heard).toEqual([]);

      relay.heal();
      await vi.waitFor(
        () => {
          expect(events.listening).toBe(true);
          expect(heard).toEqual([null]);
        },
        { timeout: 10_000 },
      );
    } finally {
      await events.close();
      await relay.close();
    }
  });

  it('close() aborts its signal, so watchers end', async () => {
    const events = createOrderEvents({ connectionString: database.url, logger });
    expect(events.closed.aborted).toBe(false);
    await events.close();
    expect(events.closed.aborted).toBe(true);
    expect(events.listening).toBe(false);
  });
});
