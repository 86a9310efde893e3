// Entry point of the API process: configuration, dependencies, listening, signals.
import { ConfigError } from '@chronicle/db';
import { createLogger } from '@chronicle/core';
import { createApiDeps } from './deps.ts';
import { loadApiEnv } from './env.ts';
import { startServer } from './server.ts';

async function main(): Promise<void> {
  const env = loadApiEnv();
  const logger = createLogger(env, 'api');
  const deps = await createApiDeps(env, logger);
  const running = await startServer(deps);
  logger.info({ port: running.port }, `API listening on ${env.HOST}:${running.port}`);

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down');
    running.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
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
      onSignal('SIGTERM');
    });
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('API failed to start:', error);
  }
  process.exit(1);
});
