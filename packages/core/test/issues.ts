// What a schema says about a value: the messages of its issues, keyed by path ('' for the root).
import type { z } from 'zod';

export function issuesOf(schema: z.ZodType, value: unknown): Record<string, string[]> {
  const result = schema.safeParse(value);
  const issues: Record<string, string[]> = {};
  if (result.success) return issues;
  for (const issue of result.error.issues) {
    const path = issue.path.map(String).join('.');
    (issues[path] ??= []).push(issue.message);
  }
  return issues;
}

/** The one message a schema gives for a value it must reject (fails the test if it accepts it). */
export function messageOf(schema: z.ZodType, value: unknown): string {
  const messages = Object.values(issuesOf(schema, value)).flat();
  if (messages.length === 0) throw new Error(`expected ${JSON.stringify(value)} to be rejected`);
  return messages.join('; ');
}
