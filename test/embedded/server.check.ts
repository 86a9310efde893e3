// Proves `pnpm test:embedded` really ran on the embedded server (PostgreSQL 18), not on the
// machine's PostgreSQL that the normal suite uses.
import pg from 'pg';
import { expect, it } from 'vitest';
import { testEnv } from '@chronicle/testing';

it('runs against the embedded PostgreSQL 18', async () => {
  const client = new pg.Client({ connectionString: testEnv.TEST_DATABASE_ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    expect(rows[0]?.server_version).toMatch(/^18\./);
  } finally {
    await client.end();
  }
});
