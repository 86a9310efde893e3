// Entry point of a worker process.
import { runMain, stopOnSignals } from '@chronicle/core';
import { loadWorkerEnv } from './env.ts';
import { startWorker } from './worker.ts';

runMain('worker', async () => {
  const worker = await startWorker(loadWorkerEnv());
  stopOnSignals(worker.logger, () => worker.stop());
});
