// `pnpm admin:create`: the admin CLI of @chronicle/core, on the database `pnpm start` uses —
// DATABASE_URL when set, otherwise the embedded PostgreSQL in the data directory: the server a
// running `pnpm start` has, or one started for this command (migrated, then stopped again).
import { adminCreate } from '@chronicle/core';
import { createDb, dbEnv } from '@chronicle/db';
import { applyMigrations } from '@chronicle/db/migrations';
import { openSharedDatabase, type OpenedDatabase } from './local-database.ts';

let opened: OpenedDatabase | undefined;
const code = await adminCreate(process.argv.slice(2), async () => {
  opened = await openSharedDatabase(process.env, (line) => {
    if (/\b(ERROR|FATAL|PANIC)\b/.test(line)) console.error(`postgres: ${line}`);
  });
  console.warn(`admin:create: using ${opened.description}`);
  // A fresh data directory has no `chronicle` database yet, and a running `pnpm start` may still
  // be migrating; applying the migrations (idempotent, under a lock) covers both.
  if (opened.embedded) await applyMigrations(opened.url);
  return createDb(dbEnv({ ...process.env, DATABASE_URL: opened.url }), {
    applicationName: 'chronicle-admin-cli',
  });
});
await opened?.close();
process.exit(code);
