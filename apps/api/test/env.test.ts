import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@chronicle/db';
import { loadApiEnv } from '@chronicle/api';

const main = path.resolve(import.meta.dirname, '../src/main.ts');

describe('API configuration', () => {
  const secret = { JWT_SECRET: 'x'.repeat(32) };

  it('defaults to the local PostgreSQL, local mode (no Redis) and port 8000', () => {
    const env = loadApiEnv(secret);
    expect(env.PORT).toBe(8000);
    expect(env.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/chronicle');
    expect(env.REDIS_URL).toBeUndefined();
    expect(loadApiEnv({ ...secret, REDIS_URL: 'redis://127.0.0.1:6379' }).REDIS_URL).toBe(
      'redis://127.0.0.1:6379',
    );
    expect(env.TRUST_PROXY).toBe(false);
  });

  it.each([
    ['PORT', 'eighty'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['REDIS_URL', 'not a url'],
    ['LOG_LEVEL', 'loud'],
    ['BODY_LIMIT_BYTES', '-1'],
    ['JWT_SECRET', 'too-short-secret'],
    ['ALLOW_ADMIN_SIGNUP', 'yes please'],
    ['PUBLIC_URL', 'ftp://api.example.org'],
    ['PUBLIC_URL', 'api.example.org'],
  ])('names %s when it is invalid', (name, value) => {
    expect(() => loadApiEnv({ ...secret, [name]: value })).toThrow(ConfigError);
    expect(() => loadApiEnv({ ...secret, [name]: value })).toThrow(new RegExp(`${name}:`));
  });

  it('keeps tokens no older than a day, and never less than their lifetime', () => {
    expect(loadApiEnv(secret).JWT_MAX_AGE_SECONDS).toBe(86_400);
    expect(() =>
      loadApiEnv({ ...secret, JWT_TTL_SECONDS: '7200', JWT_MAX_AGE_SECONDS: '3600' }),
    ).toThrow(/JWT_MAX_AGE_SECONDS: must be at least JWT_TTL_SECONDS/);
    expect(
      loadApiEnv({ ...secret, JWT_TTL_SECONDS: '7200', JWT_MAX_AGE_SECONDS: '7200' })
        .JWT_MAX_AGE_SECONDS,
    ).toBe(7_200);
  });

  it('takes PUBLIC_URL without its trailing slash; unset, the document uses localhost:PORT', () => {
    expect(loadApiEnv(secret).PUBLIC_URL).toBeUndefined();
    expect(loadApiEnv({ ...secret, PUBLIC_URL: 'https://shop.example.org/api/' }).PUBLIC_URL).toBe(
      'https://shop.example.org/api',
    );
  });

  it('requires JWT_SECRET, with no default', () => {
    expect(() => loadApiEnv({})).toThrow(/JWT_SECRET: is required/);
    expect(loadApiEnv(secret).ALLOW_ADMIN_SIGNUP).toBe(false);
  });

  it('stops the process with the variable name before touching any service', () => {
    const result = spawnSync(process.execPath, [main], {
      env: { ...process.env, PORT: 'eighty', JWT_SECRET: 'x'.repeat(32) },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT');
  });
});
