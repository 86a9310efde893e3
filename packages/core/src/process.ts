// Process lifecycle shared by the API and worker entry points.
import { ConfigError, dbEnv, describeDatabaseError } from '@chronicle/db';
import type { Logger } from './logger.ts';

/**
 * Runs `stop` on the first SIGTERM/SIGINT (or when a supervising parent's IPC channel closes),
 * then exits 0, or 1 if stopping failed. A second signal exits at once.
 */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let signals = 0;
  const onSignal = (signal: string) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // Started by a supervisor (pnpm start) that went away without signalling: stop as well.
  if (process.channel) {
    process.on('disconnect', () => {
      onSignal('parent exited');
    });
  }
}

/**
 * Runs an entry point; a configuration error prints only its message (naming the variable), and
 * an unusable database one line naming DATABASE_URL, instead of a driver's stack trace.
 */
export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(error.message);
    } else {
      // The configuration was valid (main got past loading it), so dbEnv() does not throw.
      const database = describeDatabaseError(error, dbEnv().DATABASE_URL);
      if (database) console.error(`${name} failed to start: ${database}`);
      else console.error(`${name} failed to start:`, error);
    }
    process.exit(1);
  });
}
