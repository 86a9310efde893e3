// What a caller may send about users: canonical emails, bounded passwords, no mass assignment.
import { describe, expect, it } from 'vitest';
import {
  emailSchema,
  listUsersInput,
  loginInput,
  registerInput,
  setRoleInput,
} from '../src/user/user.schema.ts';
import { issuesOf, messageOf } from './issues.ts';

const ID = '3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e';

describe('emailSchema', () => {
  it('stores the canonical form: trimmed and lower-cased', () => {
    expect(emailSchema.parse('  Alice.Smith@Example.COM ')).toBe('alice.smith@example.com');
  });

  it('validates after normalising, so surrounding spaces are no error', () => {
    expect(emailSchema.safeParse(' bob@example.com\t').success).toBe(true);
  });

  it.each(['alice', 'alice@', '@example.com', 'a b@example.com', ''])('refuses %j', (email) => {
    expect(messageOf(emailSchema, email)).toBe('must be a valid email address');
  });

  it('bounds the length and refuses what PostgreSQL cannot store', () => {
    expect(messageOf(emailSchema, `${'a'.repeat(243)}@example.com`)).toBe(
      'must be at most 254 characters',
    );
    expect(messageOf(emailSchema, 'a\0@example.com')).toBe('must not contain NUL characters');
  });
});

describe('registerInput', () => {
  const valid = { email: 'New@Example.com', password: 'correct horse battery' };

  it('normalises the email and takes an optional role', () => {
    expect(registerInput.parse(valid)).toEqual({ ...valid, email: 'new@example.com' });
    expect(registerInput.parse({ ...valid, role: 'ADMIN' })).toMatchObject({ role: 'ADMIN' });
  });

  it('bounds the password', () => {
    expect(issuesOf(registerInput, { ...valid, password: 'short' })).toEqual({
      password: ['must be at least 8 characters'],
    });
    expect(issuesOf(registerInput, { ...valid, password: 'p'.repeat(129) })).toEqual({
      password: ['must be at most 128 characters'],
    });
  });

  it('refuses unknown roles and fields that are not its own', () => {
    expect(issuesOf(registerInput, { ...valid, role: 'ROOT' })).toEqual({
      role: ['must be one of: USER, ADMIN'],
    });
    expect(issuesOf(registerInput, { ...valid, id: ID, passwordHash: 'x' })).toEqual({
      '': ['unknown fields "id", "passwordHash"'],
    });
  });
});

describe('loginInput', () => {
  it('normalises the email like registration but does not judge its format', () => {
    // A malformed email simply matches no user: the answer is the same as for a wrong password.
    expect(loginInput.parse({ email: ' Not An Email ', password: 'x' })).toEqual({
      email: 'not an email',
      password: 'x',
    });
  });

  it('refuses a role, which only registration may carry', () => {
    expect(issuesOf(loginInput, { email: 'a@example.com', password: 'x', role: 'ADMIN' })).toEqual({
      '': ['unknown field "role"'],
    });
  });
});

describe('setRoleInput and listUsersInput', () => {
  it('name what a bad id should have been', () => {
    expect(issuesOf(setRoleInput, { id: 'me', role: 'ADMIN' })).toEqual({
      id: ['must be a user id (UUID)'],
    });
    expect(issuesOf(setRoleInput, { role: 'ADMIN' })).toEqual({ id: ['is required'] });
    expect(issuesOf(listUsersInput, { cursor: 'next' })).toEqual({
      cursor: ['must be a cursor from a previous page'],
    });
  });

  it('defaults the page size and reads it from a query string', () => {
    expect(listUsersInput.parse({})).toEqual({ limit: 20 });
    expect(listUsersInput.parse({ limit: '7', cursor: ID })).toEqual({ limit: 7, cursor: ID });
  });
});
