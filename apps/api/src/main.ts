// Entry point of the API process: configuration, the runtime, listening, signals.
// Without REDIS_URL it runs in local mode: rate limits and the catalog cache in this process's
// memory, and the order worker inside this process too, on the same runtime (so its cache
// invalidations reach the cache the API serves from). Local mode is for one process only:
// never run replicas of it.
import { createApiDeps, loadApiEnv, startServer } from '@chronicle/api';
import { createLogger, runMain, stopOnSignals } from '@chronicle/core';
import { loadWorkerEnv, openRuntime, runWorker } from '@chronicle/runtime';

runMain('API', async () => {
  const env = loadApiEnv();
  const logger = createLogger(env, 'api');
  const local = !env.REDIS_URL;
  const workerEnv = local ? loadWorkerEnv() : undefined;
  const runtime = await openRuntime(env, logger, {
    role: 'api',
    redis: 'limits-and-cache',
    // The API only enqueues; queue maintenance belongs to the workers (here, the local one).
    superviseIntervalSeconds: workerEnv?.WORKER_SUPERVISE_INTERVAL_SECONDS,
    stopTimeoutMs: workerEnv?.WORKER_SHUTDOWN_TIMEOUT_MS,
  });
  const deps = createApiDeps(env, runtime);
  const worker =
    workerEnv &&
    (await runWorker({ ...runtime, logger: logger.child({ part: 'worker' }) }, workerEnv, {
      serveMetrics: false,
    }));
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
    await running.close();
    // The queue last but one: the local worker finishes its in-flight orders, then the pools close.
    await runtime.close();
    await worker?.stop();
    logger.info('stopped');
  });
});
