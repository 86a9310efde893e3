// The login limiter's bookkeeping on the in-process store (no server): what each outcome
// gives back, keeps or blocks.
import { describe, expect, it } from 'vitest';
import { loadApiEnv } from '../src/env.ts';
import { createRateLimits, RateLimitedError } from '../src/rate-limit/limiters.ts';
import { beginLoginAttempt, type LoginOutcome } from '../src/rate-limit/login.ts';
const TEST_JWT_SECRET = 'login-limiter-test-secret-0123456789abcdefghijklmnop';

function setup(overrides: Record<string, string> = {}) {
  const env = loadApiEnv({
    JWT_SECRET: TEST_JWT_SECRET,
    RATE_LIMIT_LOGIN_FAILURES: '3',
    RATE_LIMIT_LOGIN_IP_DAILY_FAILURES: '5',
    RATE_LIMIT_LOGIN_BLOCK_SECONDS: '60',
    ...overrides,
  });
  const limits = createRateLimits(undefined, env);
  const attempt = async (outcome: LoginOutcome, email = 'a@example.com', ip = '192.0.2.1') => {
    const begun = await beginLoginAttempt(limits, env, email, ip);
    await begun.settle(outcome);
  };
  return { env, limits, attempt };
}

const refused = expect.any(RateLimitedError);

describe('login attempts', () => {
  it('a failure keeps its points; the attempt that takes the last one blocks the pair', async () => {
    const { attempt } = setup();
    await attempt('failure');
    await attempt('failure');
    await attempt('failure');
    await expect(attempt('success')).rejects.toEqual(refused);
    // Another address, and another email from the same address, are not blocked.
    await attempt('success', 'a@example.com', '192.0.2.2');
    await attempt('failure', 'b@example.com');
  });

  it('successes and aborted attempts give their points back', async () => {
    const { attempt } = setup();
    for (let i = 0; i < 10; i++) await attempt(i % 2 ? 'success' : 'aborted');
    // The whole budget is still there: three failures before the block.
    await attempt('failure');
    await attempt('failure');
    await attempt('failure');
    await expect(attempt('failure')).rejects.toEqual(refused);
  });

  it('refused attempts give back what they took, so they cannot reopen or extend anything', async () => {
    const { limits, attempt } = setup();
    for (let i = 0; i < 3; i++) await attempt('failure');
    for (let i = 0; i < 20; i++) await expect(attempt('failure')).rejects.toEqual(refused);
    // The block lasts the first episode's length, not 20 episodes' worth.
    const error: unknown = await attempt('success').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error instanceof RateLimitedError && error.retryAfterSeconds).toBeLessThanOrEqual(60);
    // And the refused attempts left the address's daily budget as it was: 5 - 3 = 2 left.
    expect((await limits.loginIpDaily.consume('192.0.2.1')).remaining).toBe(1);
  });

  it('a reservation that cannot get the daily point gives the pair point back', async () => {
    const { limits, attempt } = setup({ RATE_LIMIT_LOGIN_IP_DAILY_FAILURES: '2' });
    await attempt('failure', 'x@example.com');
    await attempt('failure', 'y@example.com');
    await expect(attempt('failure', 'z@example.com')).rejects.toEqual(refused);
    // z's pair point was returned: its full budget of 3 is untouched.
    expect((await limits.loginFailures.consume('z@example.com|192.0.2.1')).remaining).toBe(2);
  });
});
