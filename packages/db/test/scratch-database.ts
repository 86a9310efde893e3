// Empty databases for the migration tool's own tests. Self-contained rather than taken from
// @chronicle/testing, which builds its templates with this package's migrations: depending on
// it from here would make the workspace graph a cycle.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

/** The same server and defaults as @chronicle/testing's env.ts. */
const adminUrl =
  process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function adminQuery<T extends pg.QueryResultRow>(
  sql: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Named like @chronicle/testing's, so the run's global setup drops any left behind. */
function scratchName(): string {
  const runId = process.env.TEST_RUN_ID;
  const prefix = runId === undefined ? 'chronicle_test_' : `chronicle_r${runId}_test_`;
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

export async function createEmptyDatabase(): Promise<ScratchDatabase> {
  const name = scratchName();
  await adminQuery(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  return {
    name,
    url: databaseUrl(name),
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    },
  };
}

/** An empty database for the enclosing `describe`: created before its tests, dropped after them. */
export function useEmptyDatabase(): Pick<ScratchDatabase, 'name' | 'url'> {
  let db: ScratchDatabase | undefined;
  beforeAll(async () => {
    db = await createEmptyDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  const current = (): ScratchDatabase => {
    if (db === undefined) throw new Error('the database is used before beforeAll created it');
    return db;
  };
  return {
    get name() {
      return current().name;
    },
    get url() {
      return current().url;
    },
  };
}
