import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  applyMigrations,
  createMigration,
  defaultPaths,
  diffMigrationsToSchema,
  type MigrationPaths,
} from '../src/migrations/index.ts';
import {
  adminQuery,
  createEmptyDatabase,
  databaseUrl,
  useEmptyDatabase,
} from './scratch-database.ts';

const cli = path.resolve(import.meta.dirname, '../src/migrations/cli.ts');

async function migrationFolders(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** A scratch copy of prisma/ so a test can change the schema without touching the real one. */
async function scratchCopy(): Promise<MigrationPaths & { dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'chronicle-migrations-'));
  await cp(defaultPaths.migrationsDir, path.join(dir, 'migrations'), { recursive: true });
  await cp(defaultPaths.schemaFile, path.join(dir, 'schema.prisma'));
  return {
    dir,
    schemaFile: path.join(dir, 'schema.prisma'),
    migrationsDir: path.join(dir, 'migrations'),
  };
}

const addedModel = `
model DriftProbe {
  id   Int    @id
  note String
}
`;

describe('applyMigrations', () => {
  const db = useEmptyDatabase();

  it('applies every migration to an empty database, then is a no-op', async () => {
    const expected = await migrationFolders(defaultPaths.migrationsDir);
    expect(expected.length).toBeGreaterThan(0);

    expect(await applyMigrations(db.url)).toEqual(expected);
    const tables = await query<{ tablename: string }>(
      db.url,
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
    );
    expect(tables.map((t) => t.tablename)).toContain('users');

    expect(await applyMigrations(db.url)).toEqual([]);
    const recorded = await query<{ migration_name: string }>(
      db.url,
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY 1',
    );
    expect(recorded.map((r) => r.migration_name)).toEqual(expected);
  });

  it('creates the database when it does not exist yet', async () => {
    const url = new URL(db.url);
    url.pathname = `/${db.name}_created`;
    try {
      const applied = await applyMigrations(url.toString());
      expect(applied.length).toBeGreaterThan(0);
    } finally {
      const admin = new URL(db.url);
      admin.pathname = '/postgres';
      await query(admin.toString(), `DROP DATABASE IF EXISTS "${db.name}_created" WITH (FORCE)`);
    }
  });
});

describe('concurrent migrate runs', () => {
  const db = useEmptyDatabase();

  it('take turns: the migrations are applied exactly once', async () => {
    const expected = await migrationFolders(defaultPaths.migrationsDir);
    const runs = await Promise.all([1, 2, 3].map(() => applyMigrations(db.url)));
    expect(runs.flat().sort()).toEqual(expected);
    const recorded = await query<{ n: string }>(
      db.url,
      'SELECT count(*) AS n FROM _prisma_migrations',
    );
    expect(Number(recorded[0]?.n)).toBe(expected.length);
  });

  it('as separate processes, both exit 0', async () => {
    const fresh = await createEmptyDatabase();
    try {
      const spawnRun = () =>
        new Promise<number | null>((resolve) => {
          const child = spawn(process.execPath, [cli, 'migrate'], {
            env: { ...process.env, DATABASE_URL: fresh.url },
            stdio: 'ignore',
          });
          child.on('exit', resolve);
        });
      expect(await Promise.all([spawnRun(), spawnRun()])).toEqual([0, 0]);
      const recorded = await query<{ n: string }>(
        fresh.url,
        'SELECT count(*) AS n FROM _prisma_migrations',
      );
      expect(Number(recorded[0]?.n)).toBe(
        (await migrationFolders(defaultPaths.migrationsDir)).length,
      );
    } finally {
      await fresh.drop();
    }
  });
});

describe('drift check', () => {
  const db = useEmptyDatabase();
  let scratch: Awaited<ReturnType<typeof scratchCopy>> | undefined;
  afterEach(async () => {
    if (scratch) await rm(scratch.dir, { recursive: true, force: true });
    scratch = undefined;
  });

  it('finds no drift in the repository as committed', async () => {
    expect(await diffMigrationsToSchema(db.url)).toBe('');
  });

  it('fails when schema.prisma changes without a migration, and passes once one is created', async () => {
    scratch = await scratchCopy();
    await writeFile(scratch.schemaFile, (await readFile(scratch.schemaFile, 'utf8')) + addedModel);

    const drift = await diffMigrationsToSchema(db.url, { paths: scratch });
    expect(drift).toContain('CREATE TABLE "DriftProbe"');

    const cliRun = spawnSync(
      process.execPath,
      [cli, 'drift', '--schema', scratch.schemaFile, '--migrations', scratch.migrationsDir],
      { env: { ...process.env, DATABASE_URL: db.url }, encoding: 'utf8' },
    );
    expect(cliRun.status).toBe(1);
    expect(cliRun.stderr).toContain('Drift');

    const folder = await createMigration(db.url, 'add drift probe', { paths: scratch });
    expect(folder).toMatch(/^\d{14}_add_drift_probe$/);
    expect(await diffMigrationsToSchema(db.url, { paths: scratch })).toBe('');
    expect(await createMigration(db.url, 'nothing', { paths: scratch })).toBeNull();
  });

  it('`drift` creates no database on the server it checks', async () => {
    // Compared by name, not by the whole list: other test runs may share this server.
    const target = `${db.name}_unchecked`;
    const names = async () =>
      (
        await adminQuery<{ datname: string }>(
          "SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE 'prisma_migrate_shadow_db_%'",
          [target],
        )
      ).map((row) => row.datname);
    const before = await names();
    const cliRun = spawnSync(process.execPath, [cli, 'drift'], {
      env: { ...process.env, DATABASE_URL: databaseUrl(target) },
      encoding: 'utf8',
    });
    expect(cliRun.stderr).toBe('');
    expect(cliRun.status).toBe(0);
    expect(await names()).toEqual(before);
  });

  it('drops the shadow database it diffs in', async () => {
    const admin = new URL(db.url);
    admin.pathname = '/postgres';
    const shadows = async () =>
      (
        await query<{ datname: string }>(
          admin.toString(),
          "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'",
        )
      ).map((row) => row.datname);
    const before = await shadows();
    const created: string[] = [];
    const watcher = setInterval(() => {
      void shadows().then((now) => created.push(...now.filter((name) => !before.includes(name))));
    }, 20);
    try {
      expect(await diffMigrationsToSchema(db.url)).toBe('');
    } finally {
      clearInterval(watcher);
    }
    const after = await shadows();
    expect(after.filter((name) => !before.includes(name))).toEqual([]);
    // The diff really did go through a shadow database (so the check above means something).
    expect(created.length).toBeGreaterThan(0);
  });
});
