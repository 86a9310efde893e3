// Vitest global setup for the whole test run: gives the run an id that names its template and
// test databases, and drops them when every project has finished. Test files of parallel
// projects share the one template, so it can only be dropped here, after all of them.
import { randomInt } from 'node:crypto';
import pg from 'pg';
import { runDatabasePrefix, withAdmin } from './database.ts';
import { testEnv } from './env.ts';

/** Advisory lock class of "a test run is alive"; the object id is the run id. */
const RUN_LOCK_CLASS = 7_311_553;

async function databasesLike(admin: pg.Client, prefix: string): Promise<string[]> {
  const rows = await admin.query<{ datname: string }>(
    'SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1',
    [prefix],
  );
  return rows.rows.map((row) => row.datname);
}

async function drop(admin: pg.Client, names: string[]): Promise<void> {
  for (const name of names) {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  }
}

/** Databases of runs that ended without their teardown (killed, crashed): no lock holds them. */
async function sweepDeadRuns(admin: pg.Client): Promise<void> {
  const live = await admin.query<{ objid: string }>(
    "SELECT objid::text FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objsubid = 2",
    [RUN_LOCK_CLASS],
  );
  const liveRuns = new Set(live.rows.map((row) => Number(row.objid)));
  const names = await admin.query<{ datname: string; run: string }>(
    "SELECT datname, substring(datname from '^chronicle_r([0-9]+)_') AS run FROM pg_database WHERE datname ~ '^chronicle_r[0-9]+_(tpl|test_)'",
  );
  await drop(
    admin,
    names.rows.filter((row) => !liveRuns.has(Number(row.run))).map((row) => row.datname),
  );
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  // Projects and the root config may all name this file; the first call owns the run.
  if (process.env.TEST_RUN_ID !== undefined) return undefined;
  const runId = randomInt(1, 2_147_483_647);
  // This connection lives as long as the run: its lock tells other runs that this one is alive.
  const holder = new pg.Client({
    connectionString: testEnv.TEST_DATABASE_ADMIN_URL,
    connectionTimeoutMillis: 10_000,
  });
  await holder.connect();
  await holder.query('SELECT pg_advisory_lock($1, $2)', [RUN_LOCK_CLASS, runId]);
  await sweepDeadRuns(holder);
  // Read by @chronicle/testing in every test worker (they start after this).
  process.env.TEST_RUN_ID = String(runId);

  return async () => {
    try {
      await withAdmin(async (admin) => {
        const template = runDatabasePrefix.template(runId);
        await drop(admin, [template, `${template}_building`]);
        const leaked = await databasesLike(admin, runDatabasePrefix.test(runId));
        await drop(admin, leaked);
        if (leaked.length > 0) {
          throw new Error(
            `Test files left ${leaked.length} database(s) behind (now dropped): ${leaked.join(', ')}. ` +
              'Every createTestDatabase() / startTestApp() needs its drop() / close().',
          );
        }
      });
    } finally {
      await holder.end();
    }
  };
}
