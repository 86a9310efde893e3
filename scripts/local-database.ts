// Which PostgreSQL the root commands use, decided in one place: DATABASE_URL when it is set,
// otherwise the embedded PostgreSQL in $CHRONICLE_DATA_DIR/postgres (default .data/postgres).
// `pnpm start` owns the embedded server while it runs; a short command such as
// `pnpm admin:create` uses that running server, or starts one just for itself.
import path from 'node:path';
import {
  DataDirInUseError,
  runningEmbeddedPostgres,
  startEmbeddedPostgres,
} from './embedded-postgres.ts';

const root = path.resolve(import.meta.dirname, '..');

/** The application's database on the embedded server. */
const EMBEDDED_DATABASE = 'chronicle';

export type DatabaseChoice =
  { kind: 'external'; url: string } | { kind: 'embedded'; dataDir: string; database: string };

/** An empty DATABASE_URL counts as unset, as in every env.ts. */
export function chooseDatabase(env: NodeJS.ProcessEnv): DatabaseChoice {
  if (env.DATABASE_URL) return { kind: 'external', url: env.DATABASE_URL };
  const dataDir = path.join(path.resolve(root, env.CHRONICLE_DATA_DIR ?? '.data'), 'postgres');
  return { kind: 'embedded', dataDir, database: EMBEDDED_DATABASE };
}

export interface OpenedDatabase {
  url: string;
  /** Where it runs, for a log line. */
  description: string;
  /** True on an embedded server, where the command itself must see to the migrations. */
  embedded: boolean;
  /** Stops the embedded server if this process started it; otherwise does nothing. */
  close(): Promise<void>;
}

/**
 * The database for a short command, sharing the embedded server with a running `pnpm start`
 * rather than fighting over the data directory (PostgreSQL allows one server per directory).
 */
export async function openSharedDatabase(
  env: NodeJS.ProcessEnv,
  onLog?: (line: string) => void,
): Promise<OpenedDatabase> {
  const choice = chooseDatabase(env);
  if (choice.kind === 'external') {
    return {
      url: choice.url,
      description: 'DATABASE_URL',
      embedded: false,
      close: () => Promise.resolve(),
    };
  }
  // Twice at most: a `pnpm start` may take the data directory between the look and the start.
  for (let attempt = 1; ; attempt += 1) {
    const running = await runningEmbeddedPostgres(choice.dataDir);
    if (running) {
      return {
        url: running.url(choice.database),
        description: `the embedded PostgreSQL on 127.0.0.1:${running.port} (run by pid ${running.owner})`,
        embedded: true,
        close: () => Promise.resolve(),
      };
    }
    try {
      const server = await startEmbeddedPostgres({
        dataDir: choice.dataDir,
        ...(onLog ? { onLog } : {}),
      });
      return {
        url: server.url(choice.database),
        description: `an embedded PostgreSQL started for this command (data in ${server.dataDir})`,
        embedded: true,
        close: () => server.stop(),
      };
    } catch (error) {
      if (!(error instanceof DataDirInUseError) || attempt > 1) throw error;
    }
  }
}
