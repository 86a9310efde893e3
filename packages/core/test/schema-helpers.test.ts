// The string rules every input shares, and the wording of every validation message.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  booleanParam,
  displayText,
  exact,
  nameText,
  safeString,
  unlessMissing,
} from '../src/schema-helpers.ts';
import { issuesOf, messageOf } from './issues.ts';

const INVISIBLE =
  'must not contain invisible characters (zero-width, soft hyphen, variation selector…)';

describe('safeString', () => {
  it('accepts any well-formed text, astral characters included', () => {
    expect(safeString().parse('Grüße 😀 日本')).toBe('Grüße 😀 日本');
  });

  it('refuses a lone surrogate with that one message', () => {
    // abort: the NUL check does not add a second issue to the same value.
    expect(issuesOf(safeString(), 'a\uD800\0')).toEqual({
      '': ['must be well-formed Unicode (no lone surrogates)'],
    });
    expect(messageOf(safeString(), '\uDC00')).toBe(
      'must be well-formed Unicode (no lone surrogates)',
    );
  });

  it('refuses NUL, which PostgreSQL text cannot hold', () => {
    expect(messageOf(safeString(), 'a\0b')).toBe('must not contain NUL characters');
  });
});

describe('displayText', () => {
  const text = displayText(10);

  it('trims and stores Normalization Form C', () => {
    const decomposed = 'Cafe\u0301';
    expect(decomposed).toHaveLength(5);
    expect(text.parse(`  ${decomposed} `)).toBe('Café');
    expect(text.parse(decomposed)).toHaveLength(4);
  });

  it('measures the length after normalising', () => {
    // 20 code units as sent, 10 characters once composed.
    expect(text.parse('e\u0301'.repeat(10))).toBe('é'.repeat(10));
    expect(messageOf(text, 'é'.repeat(11))).toBe('must be at most 10 characters');
  });

  it('refuses text that is empty once trimmed', () => {
    expect(messageOf(text, '   ')).toBe('must not be empty');
  });

  it.each([
    ['a bell', 'a\u0007b'],
    ['a line break', 'a\nb'],
    ['a tab', 'a\tb'],
    ['DEL', 'a\u007Fb'],
    ['a C1 control', 'a\u0085b'],
    ['a right-to-left override', 'abc\u202Etxt'],
    ['a bidi isolate', 'a\u2066b\u2069'],
  ])('refuses %s', (_, value) => {
    expect(messageOf(text, value)).toBe('must not contain control characters');
  });

  it('allows invisible characters, which only names refuse', () => {
    expect(text.parse('Ca\u200Bfé')).toBe('Ca\u200Bfé');
  });
});

describe('nameText', () => {
  const name = nameText(20);

  it('keeps the display text rules', () => {
    expect(name.parse(' Cafe\u0301 ')).toBe('Café');
    expect(messageOf(name, 'a\nb')).toBe('must not contain control characters');
  });

  it.each([
    ['a zero-width space', 'Ca\u200Bfé'],
    ['a zero-width joiner', 'Ca\u200Dfé'],
    ['a soft hyphen', 'Ca\u00ADfé'],
    ['a variation selector', 'Heart \u2764\uFE0F'],
    ['a byte order mark inside', 'Ca\uFEFFfé'],
    ['a word joiner', 'Ca\u2060fé'],
  ])('refuses %s', (_, value) => {
    expect(messageOf(name, value)).toBe(INVISIBLE);
  });

  it('accepts ordinary names, with spaces and punctuation', () => {
    expect(name.parse('Desk lamp (40 W)')).toBe('Desk lamp (40 W)');
  });
});

describe('exact', () => {
  const quantity = exact(z.int().min(1));

  it('does not coerce: strings and booleans stay wrong', () => {
    expect(quantity.parse(3)).toBe(3);
    expect(messageOf(quantity, '3')).toBe('must be a number');
    expect(messageOf(quantity, true)).toBe('must be a number');
    expect(messageOf(quantity, 0)).toBe('must be at least 1');
  });
});

describe('booleanParam', () => {
  it.each([
    [true, true],
    ['true', true],
    [false, false],
    ['false', false],
  ])('reads %j as %j', (input, value) => {
    expect(booleanParam.parse(input)).toBe(value);
  });

  it.each(['yes', '1', 1, 'TRUE'])('refuses %j', (input) => {
    expect(messageOf(booleanParam, input)).toBe('must be true or false');
  });
});

describe('unlessMissing', () => {
  const id = z.object({ id: z.uuid({ error: unlessMissing('must be an order id (UUID)') }) });

  it("uses the schema's message for a wrong value and 'is required' for a missing one", () => {
    expect(issuesOf(id, { id: 'x' })).toEqual({ id: ['must be an order id (UUID)'] });
    expect(issuesOf(id, {})).toEqual({ id: ['is required'] });
  });
});

describe('validation messages', () => {
  it.each<[string, z.ZodType, unknown, string]>([
    ['a missing field', z.object({ a: z.string() }), {}, 'a: is required'],
    ['a wrong type', z.string(), 5, 'must be a string'],
    ['a number', z.number(), 'x', 'must be a number'],
    ['an integer', z.int(), 1.5, 'must be an integer'],
    ['a boolean', z.boolean(), 'no', 'must be true or false'],
    ['an array', z.array(z.string()), 'x', 'must be an array'],
    ['an object', z.object({}), [], 'must be an object'],
    ['a long string', z.string().max(3), 'abcd', 'must be at most 3 characters'],
    ['a short string', z.string().min(2), 'a', 'must be at least 2 characters'],
    ['an empty string', z.string().min(1), '', 'must not be empty'],
    ['an exact length', z.string().length(3), 'ab', 'must be exactly 3 characters'],
    ['too many items', z.array(z.int()).max(2), [1, 2, 3], 'must have at most 2 items'],
    ['too few items', z.array(z.int()).min(2), [1], 'must have at least 2 items'],
    ['no items', z.array(z.int()).min(1), [], 'must not be empty'],
    ['a big number', z.number().max(5), 6, 'must be at most 5'],
    ['a number not below', z.number().lt(5), 5, 'must be less than 5'],
    ['a small number', z.number().min(1), 0, 'must be at least 1'],
    ['a number not above', z.number().gt(0), 0, 'must be greater than 0'],
    ['a multiple', z.number().multipleOf(5), 7, 'must be a multiple of 5'],
    ['an email', z.email(), 'nobody', 'must be a valid email address'],
    ['a UUID', z.uuid(), 'x', 'must be a valid UUID'],
    ['a URL', z.url(), 'x', 'must be a valid URL'],
    ['a date-time', z.iso.datetime(), 'x', 'must be a valid date-time (ISO 8601)'],
    ['a pattern, never quoted', z.string().regex(/^a+$/), 'b', 'has an invalid format'],
    ['a prefix', z.string().startsWith('a'), 'b', 'has an invalid format'],
    ['one literal', z.literal('on'), 'off', 'must be "on"'],
    ['an enum', z.enum(['USER', 'ADMIN']), 'ROOT', 'must be one of: USER, ADMIN'],
    ['a union', z.union([z.string(), z.number()]), true, 'is not valid'],
    ['a custom check', z.string().refine((v) => v === 'ok'), 'no', 'is not valid'],
    ['one unknown key', z.strictObject({}), { a: 1 }, 'unknown field "a"'],
    ['unknown keys', z.strictObject({}), { a: 1, b: 2 }, 'unknown fields "a", "b"'],
    ['a record key', z.record(z.string().max(1), z.int()), { bb: 1 }, 'bb: has an invalid key'],
  ])('words %s', (_, schema, value, expected) => {
    const issues = issuesOf(schema, value);
    const worded = Object.entries(issues).map(([path, messages]) =>
      path === '' ? messages.join('; ') : `${path}: ${messages.join('; ')}`,
    );
    expect(worded.join(' | ')).toBe(expected);
  });

  it("lets a schema's own message win", () => {
    expect(messageOf(z.string().min(3, { error: 'too short, try again' }), 'a')).toBe(
      'too short, try again',
    );
  });
});
