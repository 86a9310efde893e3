// Entry point of the API process: configuration, dependencies, listening, signals.
import { createLogger, runMain, stopOnSignals } from '@chronicle/core';
import { createApiDeps } from './deps.ts';
import { loadApiEnv } from './env.ts';
import { startServer } from './server.ts';

runMain('API', async () => {
  const env = loadApiEnv();
  const logger = createLogger(env, 'api');
  const deps = await createApiDeps(env, logger);
  const running = await startServer(deps);
  logger.info({ port: running.port }, `API listening on ${env.HOST}:${running.port}`);
  stopOnSignals(logger, async () => {
    await running.close();
    logger.info('stopped');
  });
});
