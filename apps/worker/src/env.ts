// Configuration of a worker process, validated once at start-up.
import { z } from 'zod';
import { dbEnvSchema, loadEnv } from '@chronicle/db';
import { coreEnvSchema } from '@chronicle/core';

export const workerEnvSchema = z.object({
  ...dbEnvSchema.shape,
  ...coreEnvSchema.shape,
  /** How long shutdown waits for in-flight jobs before pg-boss fails them for a retry. */
  WORKER_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(120_000).default(20_000),
});

export type WorkerEnv = z.infer<typeof workerEnvSchema>;

export const loadWorkerEnv = (source: NodeJS.ProcessEnv = process.env): WorkerEnv =>
  loadEnv(workerEnvSchema, source);
