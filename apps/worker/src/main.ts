// Entry point of a worker process.
import { runMain, stopOnSignals } from '@chronicle/core';
import { loadWorkerEnv, startWorker } from '@chronicle/runtime';

runMain('worker', async () => {
  const worker = await startWorker(loadWorkerEnv());
  stopOnSignals(worker.logger, () => worker.stop());
});
