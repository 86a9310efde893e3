// Structured JSON logs for every process; secrets are redacted wherever they appear.
import { pino, type Logger } from 'pino';
import type { CoreEnv } from './env.ts';

export type { Logger };

const redactedPaths = [
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'token',
  '*.token',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLogger(env: Pick<CoreEnv, 'LOG_LEVEL'>, name: string): Logger {
  return pino({
    name,
    level: env.LOG_LEVEL,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
