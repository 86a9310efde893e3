// The run's own database (migrated under a fresh name, dropped at the end) and its Redis keys
// (one prefix per run, deleted at the end).
import pg from 'pg';
import { applyMigrations } from '@chronicle/db/migrations';
import { deleteRedisKeys } from '@chronicle/testing';
import type { BenchConfig } from './config.ts';

/** Creates and migrates the bench database and connects to it. */
export async function openBenchDatabase(databaseUrl: string): Promise<pg.Client> {
  await applyMigrations(databaseUrl);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  return db;
}

/**
 * What autovacuum would have done by now, when it is off (as on the CI machine): a long run
 * writes hundreds of thousands of rows, and tables never analyzed keep the query plans made while
 * they were empty. Those include the plans of the foreign-key checks every order line runs, cached
 * for the life of each connection: sequential scans of `orders` that grow with every order (seen
 * with perf in a PostgreSQL backend during a full run: 2 billion rows read by 65,000 scans). With
 * autovacuum on, as in any deployment, this does nothing. Returns whether it ran.
 */
export async function standInForAutovacuum(db: pg.Client): Promise<boolean> {
  const { rows } = await db.query<{ on: boolean }>(
    "SELECT current_setting('autovacuum') = 'on' AS on",
  );
  if (rows[0]?.on) return false;
  await db.query('VACUUM (ANALYZE)');
  return true;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function dropDatabase(adminUrl: string, dbName: string): Promise<void> {
  await withClient(adminUrl, (c) =>
    c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(dbName)} WITH (FORCE)`),
  ).catch((error: unknown) => {
    console.error('bench: could not drop the database', error);
  });
}

async function deleteKeys(redisUrl: string, keyPrefix: string): Promise<void> {
  // Redis gone: nothing to clean.
  await deleteRedisKeys(redisUrl, keyPrefix).catch(() => undefined);
}

/** Drops the bench database and deletes the run's Redis keys; never throws. */
export async function removeBenchData(config: BenchConfig): Promise<void> {
  await dropDatabase(config.adminUrl, config.dbName);
  await deleteKeys(config.redisUrl, config.keyPrefix);
}
