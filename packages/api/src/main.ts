// Entry point of the API process: configuration, dependencies, listening, signals.
// Without REDIS_URL it runs in local mode: rate limits and the catalog cache in this process's
// memory, and the order worker inside this process too (so its cache invalidations reach the
// cache the API serves from). Local mode is for one process only: never run replicas of it.
import { createLogger, runMain, stopOnSignals } from '@chronicle/core';
import { loadWorkerEnv, startWorker, type Worker } from '@chronicle/worker';
import { createApiDeps } from './deps.ts';
import { loadApiEnv } from './env.ts';
import { startServer } from './server.ts';

runMain('API', async () => {
  const env = loadApiEnv();
  const logger = createLogger(env, 'api');
  const local = !env.REDIS_URL;
  const deps = await createApiDeps(env, logger);
  let worker: Worker | undefined;
  if (local) {
    worker = await startWorker(loadWorkerEnv(), logger.child({ part: 'worker' }), {
      catalog: deps.catalog,
    });
  }
  const running = await startServer(deps);
  logger.info(
    {
      port: running.port,
      cacheAndRateLimits: local ? 'in-process' : 'redis',
      worker: local ? 'in-process' : 'separate processes',
    },
    local
      ? `API listening on ${env.HOST}:${running.port} in local mode (no REDIS_URL): cache, rate limits and the order worker run inside this one process — do not run more than one`
      : `API listening on ${env.HOST}:${running.port}`,
  );
  stopOnSignals(logger, async () => {
    // The worker first: it finishes its in-flight orders while the database is still there.
    await worker?.stop();
    await running.close();
    logger.info('stopped');
  });
});
