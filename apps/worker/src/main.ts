// Entry point of a worker process.
import { ConfigError } from '@chronicle/db';
import { loadWorkerEnv } from './env.ts';
import { startWorker } from './worker.ts';

async function main(): Promise<void> {
  const env = loadWorkerEnv();
  const worker = await startWorker(env);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      worker.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    worker.logger.info({ signal }, 'shutting down');
    worker.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        worker.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // Started by a supervisor (pnpm start) that went away without signalling: stop as well.
  if (process.channel) {
    process.on('disconnect', () => {
      onSignal('SIGTERM');
    });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
