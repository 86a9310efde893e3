// One way to read configuration: validate with zod, or stop with a message naming the variable.
import type { z } from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses `source` with `schema`; empty strings count as unset so defaults apply. */
export function loadEnv<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv): z.infer<S> {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    return `  ${name}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
}
