// Login brute-force protection. An attempt reserves its failure point *before* the password is
// verified and gets it back on success, so calls already in flight (concurrent requests, the
// calls of one tRPC batch) cannot all pass a check that only reads the counters: at most
// RATE_LIMIT_LOGIN_FAILURES verifications happen per email + IP window, and at most
// RATE_LIMIT_LOGIN_IP_DAILY_FAILURES per IP per day.
import type { ApiEnv } from '../env.ts';
import type { RateLimits } from './limiters.ts';

type LoginEnv = Pick<ApiEnv, 'RATE_LIMIT_LOGIN_BLOCK_SECONDS'>;

/** How the attempt ended, as far as the limits are concerned. */
export type LoginOutcome =
  /** The password was right. */
  | 'success'
  /** The password was checked and was wrong (or the account does not exist). */
  | 'failure'
  /** No verdict on the password (e.g. the database was down): the attempt counts nothing. */
  | 'aborted';

export interface LoginAttempt {
  /** Records the outcome: gives the points back, keeps them, or blocks the pair. */
  settle(outcome: LoginOutcome): Promise<void>;
}

const pairKey = (email: string, ip: string) => `${email}|${ip}`;

/**
 * Reserves one failure point for the email + IP pair and one for the IP's daily budget, or
 * throws RateLimitedError (reserving nothing) when either is used up or the pair is blocked.
 */
export async function beginLoginAttempt(
  limits: RateLimits,
  env: LoginEnv,
  email: string,
  ip: string,
): Promise<LoginAttempt> {
  const pair = pairKey(email, ip);
  const [pairPoint, ipPoint] = await Promise.allSettled([
    limits.loginFailures.consume(pair),
    limits.loginIpDaily.consume(ip),
  ]);
  const refused = [pairPoint, ipPoint].find(
    (result): result is PromiseRejectedResult => result.status === 'rejected',
  );
  if (refused) {
    // A refused attempt costs nothing: every point it took, or tried to take (a refused
    // consume still counted), is given back, so a burst of refused attempts cannot leave a
    // counter over its limit.
    await Promise.all([limits.loginFailures.reward(pair), limits.loginIpDaily.reward(ip)]);
    throw refused.reason;
  }
  // Consumes are atomic, so exactly one attempt per window takes the pair's last point; if
  // that one fails, it alone starts the block (one block episode per block, however many
  // attempts were in flight).
  const tookLastPoint = pairPoint.status === 'fulfilled' && pairPoint.value.remaining === 0;

  return {
    async settle(outcome) {
      switch (outcome) {
        case 'success':
          await Promise.all([limits.loginFailures.reset(pair), limits.loginIpDaily.reward(ip)]);
          return;
        case 'aborted':
          await Promise.all([limits.loginFailures.reward(pair), limits.loginIpDaily.reward(ip)]);
          return;
        case 'failure': {
          if (!tookLastPoint) return;
          const blocks = await limits.loginBlocks.consume(pair).catch(() => null);
          const episode = blocks ? blocks.limit - blocks.remaining : 1;
          const seconds = Math.min(86_400, env.RATE_LIMIT_LOGIN_BLOCK_SECONDS * 2 ** (episode - 1));
          await limits.loginFailures.block(pair, seconds);
          return;
        }
      }
    },
  };
}
