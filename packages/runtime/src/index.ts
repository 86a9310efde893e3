export { openRuntime, type Runtime, type RuntimeEnv, type RuntimeOptions } from './runtime.ts';
export { loadWorkerEnv, workerEnvSchema, type WorkerEnv } from './env.ts';
export {
  handleOrderJobs,
  runWorker,
  startWorker,
  type OrderJobDeps,
  type RunningWorker,
  type Worker,
} from './worker.ts';
export { createWorkerMetrics, type WorkerMetrics } from './worker-metrics.ts';
