import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  createTestRedis,
  runProcess,
  type TestDatabase,
} from '@chronicle/testing';

const main = path.resolve(import.meta.dirname, '../src/main.ts');

describe('worker process', () => {
  let database: TestDatabase;
  const redis = createTestRedis();
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all([database.drop(), redis.cleanup()]);
  });

  it('starts pg-boss in its own schema and stops cleanly on SIGTERM', async () => {
    const worker = runProcess([main], {
      env: {
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: redis.prefix,
        LOG_LEVEL: 'info',
        WORKER_METRICS_PORT: '0',
      },
    });
    await worker.waitForLog((line) => line.msg === 'worker started');

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const schema = await client.query(
        "SELECT 1 FROM information_schema.schemata WHERE schema_name = 'pgboss'",
      );
      expect(schema.rowCount).toBe(1);
      // It warns about autovacuum exactly when the server has it off (CI's PostgreSQL does).
      const autovacuum = await client.query<{ on: boolean }>(
        "SELECT current_setting('autovacuum') = 'on' AS on",
      );
      const warned = worker.logs.some(
        (line) => line.level === 'warn' && line.msg?.startsWith('autovacuum is off') === true,
      );
      expect(warned).toBe(autovacuum.rows[0]?.on === false);
    } finally {
      await client.end();
    }

    const { code, ms } = await worker.stop('SIGTERM');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(worker.logs.some((line) => line.msg === 'worker stopped')).toBe(true);
  });

  it('refuses to start with an invalid variable, naming it', async () => {
    const worker = runProcess([main], { env: { DATABASE_URL: 'mysql://nope' } });
    expect(await worker.exited()).toBe(1);
    expect(worker.stderr()).toContain('DATABASE_URL');
  });
});
