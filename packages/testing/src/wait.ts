// Waiting on a condition with a deadline, instead of sleeping a fixed time — for the bench
// (bench/processes.ts, bench/load-client.ts), which runs under plain Node, outside vitest, so it
// cannot use vi.waitFor. Tests use vi.waitFor (an ESLint rule keeps this import out of them).
import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  message?: string;
}

/** Polls `check` until it returns a value other than undefined/false, or the deadline passes. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 10_000, intervalMs = 25, message = 'condition' }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${message}`, {
        cause: lastError,
      });
    }
    await delay(intervalMs);
  }
}
