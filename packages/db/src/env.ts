// Configuration of the database package, validated once.
import { z } from 'zod';
import { loadEnv } from './load-env.ts';

export const dbEnvSchema = z.object({
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgresql:// URL' })
    .default('postgresql://postgres@127.0.0.1:5432/chronicle'),
  /** Connections per process in the application pool. */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** How long to wait for a free or new connection before failing the request. */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  /** Server-side cap on one statement, so a stuck query cannot hold a connection forever. */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
});

export type DbEnv = z.infer<typeof dbEnvSchema>;

export const dbEnv = (source: NodeJS.ProcessEnv = process.env): DbEnv =>
  loadEnv(dbEnvSchema, source);
