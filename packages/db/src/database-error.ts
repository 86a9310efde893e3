// One sentence for "cannot use the database at DATABASE_URL", shared by the migrations CLI and the
// API and worker start-up, so a wrong or absent database says what to do instead of a stack trace.

const FALLBACK = 'Unset DATABASE_URL to use the embedded PostgreSQL with pnpm start.';

/** Node's socket errors and PostgreSQL's SQLSTATEs that mean "this server/database is not usable". */
const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused — is it running?',
  ENOTFOUND: 'host not found — check the host name.',
  EAI_AGAIN: 'host name lookup failed — check the host name and DNS.',
  ETIMEDOUT: 'no answer (timed out) — is the host reachable?',
  EHOSTUNREACH: 'host unreachable — check the host and network.',
  ENETUNREACH: 'network unreachable — check the host and network.',
  ECONNRESET:
    'the server closed the connection — is it PostgreSQL, and does it accept this client?',
  '28P01': 'password authentication failed — check the user and password.',
  '28000': 'the server refused this user — check the user name and pg_hba.conf.',
  '3D000': 'the database does not exist — create it, or run `pnpm db:migrate` (it creates it).',
};

function codesOf(error: unknown, seen = new Set<unknown>()): string[] {
  if (typeof error !== 'object' || error === null || seen.has(error)) return [];
  seen.add(error);
  const codes: string[] = [];
  // pg errors carry `code`; Prisma's driver adapter keeps PostgreSQL's as `originalCode`.
  for (const key of ['code', 'originalCode'] as const) {
    if (key in error) {
      const value: unknown = Reflect.get(error, key);
      if (typeof value === 'string') codes.push(value);
    }
  }
  // Node reports a host with several addresses (localhost: ::1 and 127.0.0.1) as an AggregateError.
  if (error instanceof AggregateError) {
    for (const inner of error.errors) codes.push(...codesOf(inner, seen));
  }
  if ('cause' in error) codes.push(...codesOf(error.cause, seen));
  return codes;
}

/** `host:port/database` of a postgres URL, never its user's password. */
function where(url: string): string {
  try {
    const parsed = new URL(url);
    const database = decodeURIComponent(parsed.pathname.slice(1));
    return `${parsed.hostname}:${parsed.port || '5432'}${database ? `/${database}` : ''}`;
  } catch {
    return '(an unparsable URL)';
  }
}

/**
 * A one-line explanation when `error` means the database at `url` cannot be used (not running,
 * unknown host, refused credentials, missing database); undefined for any other error.
 */
export function describeDatabaseError(error: unknown, url: string): string | undefined {
  const code = codesOf(error).find((candidate) => candidate in REASONS);
  const timedOut =
    error instanceof Error && /\b(connection timeout|timeout expired)\b/i.test(error.message);
  const reason = code ? REASONS[code] : timedOut ? REASONS.ETIMEDOUT : undefined;
  if (!reason) return undefined;
  return `cannot reach PostgreSQL at ${where(url)} (DATABASE_URL): ${reason} ${FALLBACK}`;
}
