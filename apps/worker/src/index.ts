export { loadWorkerEnv, workerEnvSchema, type WorkerEnv } from './env.ts';
export { handleOrderJobs, startWorker, type Worker } from './worker.ts';
export { createWorkerMetrics, type WorkerMetrics } from './metrics.ts';
