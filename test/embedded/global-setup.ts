// `pnpm test:embedded`: one embedded PostgreSQL 18 for the whole run, in a temporary directory.
// Test files then create their databases on it exactly as they do on a local server.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../scripts/embedded-postgres.ts';

export default async function setup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chronicle-embedded-test-'));
  // When run as root, PostgreSQL runs as the postgres user, which must reach the directory.
  await chmod(dir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres') });
  // Read by @chronicle/testing in every test worker (they start after this).
  process.env.TEST_DATABASE_ADMIN_URL = server.url('postgres');
  console.log(`embedded PostgreSQL 18 for the tests on 127.0.0.1:${server.port}`);
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
