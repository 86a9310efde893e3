export { openRuntime } from './runtime.ts';
export { loadWorkerEnv, workerEnvSchema } from './env.ts';
export { handleOrderJobs, runWorker, startWorker, type Worker } from './worker.ts';
