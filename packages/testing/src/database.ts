// Gives each test file a database of its own, built by the real migrations.
// The migrations run once into a template database; each test database is then a fast copy of
// it (CREATE DATABASE … TEMPLATE). Under the test run's global setup both are named after the
// run (TEST_RUN_ID), which drops them at the end; without it the template is named after the
// migrations' content hash and kept for the next run.
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { applyMigrations, defaultPaths } from '@chronicle/db/migrations';
import { testEnv } from './env.ts';

const TEMPLATE_LOCK_KEY = 7_311_552_047;

function databaseUrl(name: string, base = testEnv.TEST_DATABASE_ADMIN_URL): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: testEnv.TEST_DATABASE_ADMIN_URL,
    connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function migrationsHash(): Promise<string> {
  const hash = createHash('sha256');
  hash.update(await readFile(defaultPaths.schemaFile));
  const dirs = (await readdir(defaultPaths.migrationsDir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  for (const dir of dirs) {
    hash.update(dir);
    hash.update(await readFile(path.join(defaultPaths.migrationsDir, dir, 'migration.sql')));
  }
  return hash.digest('hex').slice(0, 16);
}

let template: Promise<string> | undefined;

/** The name of a database holding exactly the current migrations, created on first use. */
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const runId = testEnv.TEST_RUN_ID;
    const name =
      runId === undefined
        ? `chronicle_tpl_${await migrationsHash()}`
        : runDatabasePrefix.template(runId);
    await withAdmin(async (admin) => {
      await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
      try {
        const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount) return;
        const building = `${name}_building`;
        await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(building)} WITH (FORCE)`);
        await applyMigrations(databaseUrl(building));
        // Renaming last means a half-built template is never mistaken for a finished one.
        await admin.query(
          `ALTER DATABASE ${pg.escapeIdentifier(building)} RENAME TO ${pg.escapeIdentifier(name)}`,
        );
        // A kept template outlives its migrations; only kept ones (a hash, no run id) are
        // swept here, a run's own belong to that run.
        const stale = await admin.query<{ datname: string }>(
          `SELECT datname FROM pg_database WHERE datname ~ '^chronicle_tpl_[0-9a-f]{16}$' AND datname <> $1`,
          [name],
        );
        for (const { datname } of stale.rows) {
          await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
        }
      } finally {
        await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
      }
    });
    return name;
  })();
  return template;
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * The names a run's databases get, so its global setup can find and drop what it leaves. Not
 * `chronicle_tpl_…`: earlier versions of this file drop every such template but their own.
 */
export const runDatabasePrefix = {
  template: (runId: number) => `chronicle_r${runId}_tpl`,
  test: (runId: number) => `chronicle_r${runId}_test_`,
};

async function newDatabase(template?: string): Promise<TestDatabase> {
  const runId = testEnv.TEST_RUN_ID;
  const prefix = runId === undefined ? 'chronicle_test_' : runDatabasePrefix.test(runId);
  const name = `${prefix}${randomBytes(6).toString('hex')}`;
  const from = template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : '';
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}${from}`));
  return {
    name,
    url: databaseUrl(name),
    drop: () =>
      withAdmin(async (admin) => {
        await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      }),
  };
}

/** A fresh, fully migrated database for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  return newDatabase(await migratedTemplate());
}

/** An empty database (no migrations) for tests of the migration tool itself. */
export function createEmptyDatabase(): Promise<TestDatabase> {
  return newDatabase();
}
