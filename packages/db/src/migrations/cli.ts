// `pnpm db:migrate`, `pnpm db:migration <name>` and `pnpm db:drift`.
import { parseArgs } from 'node:util';
import { dbEnv } from '../env.ts';
import { ConfigError } from '../load-env.ts';
import { describeDatabaseError } from '../database-error.ts';
import path from 'node:path';
import {
  applyMigrations,
  createMigration,
  defaultPaths,
  diffMigrationsToSchema,
  type MigrationPaths,
} from './index.ts';

const usage = `usage:
  migrate            apply pending migrations (takes a lock; safe to run concurrently)
  create <name>      write prisma/migrations/<timestamp>_<name> from the change in schema.prisma, then apply it
  drift              exit 1 when schema.prisma and the migrations disagree
options:
  --schema <file>    schema file (default prisma/schema.prisma)
  --migrations <dir> migrations folder (default prisma/migrations)`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    strict: true,
    options: { schema: { type: 'string' }, migrations: { type: 'string' } },
  });
  const [command, name] = positionals;
  const paths: MigrationPaths = {
    schemaFile: values.schema ? path.resolve(values.schema) : defaultPaths.schemaFile,
    migrationsDir: values.migrations ? path.resolve(values.migrations) : defaultPaths.migrationsDir,
  };
  const { DATABASE_URL } = dbEnv();
  switch (command) {
    case 'migrate': {
      const applied = await applyMigrations(DATABASE_URL, { paths });
      console.log(
        applied.length
          ? `Applied ${applied.length} migration(s): ${applied.join(', ')}`
          : 'Database is up to date.',
      );
      return 0;
    }
    case 'create': {
      if (!name) {
        console.error(`A migration needs a name.\n${usage}`);
        return 2;
      }
      const folder = await createMigration(DATABASE_URL, name, { paths });
      if (!folder) {
        console.log('schema.prisma has no change that needs a migration.');
        return 0;
      }
      console.log(`Created prisma/migrations/${folder}/migration.sql`);
      const applied = await applyMigrations(DATABASE_URL, { paths });
      console.log(
        `Applied ${applied.join(', ') || 'nothing'} to ${new URL(DATABASE_URL).pathname.slice(1)}.`,
      );
      return 0;
    }
    case 'drift': {
      const sql = await diffMigrationsToSchema(DATABASE_URL, { paths });
      if (!sql.trim()) {
        console.log('No drift: the migrations produce exactly what schema.prisma describes.');
        return 0;
      }
      console.error(
        `Drift: schema.prisma differs from what prisma/migrations produces. Run \`pnpm db:migration <name>\`.\nMissing SQL:\n${sql}`,
      );
      return 1;
    }
    default:
      console.error(usage);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // dbEnv() cannot throw here unless it already did in main(), as a ConfigError.
    const url = error instanceof ConfigError ? undefined : dbEnv().DATABASE_URL;
    console.error(
      (url && describeDatabaseError(error, url)) ??
        (error instanceof Error ? error.message : error),
    );
    process.exit(1);
  },
);
