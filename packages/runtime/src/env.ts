// Configuration of the order worker (its own process, or the API process in local mode).
import { z } from 'zod';
import { dbEnvSchema, loadEnv } from '@chronicle/db';
import { coreEnvSchema } from '@chronicle/core';

export const workerEnvSchema = z.object({
  ...dbEnvSchema.shape,
  ...coreEnvSchema.shape,
  /** Batches processed at once by this process (each one transaction). */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Order jobs fetched per poll and settled together in one transaction (see fulfilOrders). */
  WORKER_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(100),
  /** How often an idle loop looks for new jobs. */
  WORKER_POLL_INTERVAL_SECONDS: z.coerce.number().min(0.5).max(60).default(0.5),
  /** How often pg-boss maintenance looks for expired or heartbeat-less jobs to retry. */
  WORKER_SUPERVISE_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3_600).default(10),
  /** Port of the worker's /metrics and /healthz (0 picks a free one). */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
  /** How long shutdown waits for in-flight jobs before pg-boss hands them to another worker (ms). */
  WORKER_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(120_000).default(20_000),
});

export type WorkerEnv = z.infer<typeof workerEnvSchema>;

export const loadWorkerEnv = (source: NodeJS.ProcessEnv = process.env): WorkerEnv =>
  loadEnv(workerEnvSchema, source);
