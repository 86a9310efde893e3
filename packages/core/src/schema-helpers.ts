// Building blocks for input schemas, and the wording of every validation message.
import { z } from 'zod';

/** How a value is named in "must be …" messages, by the type zod expected. */
const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  bigint: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  tuple: 'an array',
  object: 'an object',
  record: 'an object',
  date: 'a date',
  null: 'null',
};

/** How a string format is named in "must be a valid …" messages. */
const FORMAT_NAMES: Record<string, string> = {
  email: 'email address',
  uuid: 'UUID',
  guid: 'UUID',
  url: 'URL',
  datetime: 'date-time (ISO 8601)',
  date: 'date (YYYY-MM-DD)',
  time: 'time (HH:MM:SS)',
  ipv4: 'IPv4 address',
  ipv6: 'IPv6 address',
  base64: 'base64 text',
  base64url: 'base64url text',
};

const quoted = (values: readonly unknown[]) => values.map((value) => JSON.stringify(value));

/**
 * Zod's messages in the project's voice: short, lower-case, about the field at the issue's path
 * ("must be at most 254 characters"). Zod's defaults read "Too big: expected string to have
 * <=254 characters" and name internal types; a schema's own message still wins over this map.
 * No message quotes a regex: a pattern is an implementation detail, and the format name says
 * what is wanted.
 */
function validationMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.expected === 'nonoptional') return 'is required';
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_big': {
      const max = issue.maximum.toString();
      const bound = issue.inclusive === false ? 'less than' : 'at most';
      if (issue.origin === 'string') {
        return issue.exact
          ? `must be exactly ${max} characters`
          : `must be ${bound} ${max} characters`;
      }
      if (issue.origin === 'array' || issue.origin === 'set') {
        return issue.exact ? `must have exactly ${max} items` : `must have at most ${max} items`;
      }
      return `must be ${bound} ${max}`;
    }
    case 'too_small': {
      const min = issue.minimum.toString();
      const bound = issue.inclusive === false ? 'greater than' : 'at least';
      const nonEmpty = min === '1' && issue.inclusive !== false;
      if (issue.origin === 'string') {
        if (issue.exact) return `must be exactly ${min} characters`;
        return nonEmpty ? 'must not be empty' : `must be ${bound} ${min} characters`;
      }
      if (issue.origin === 'array' || issue.origin === 'set') {
        if (issue.exact) return `must have exactly ${min} items`;
        return nonEmpty ? 'must not be empty' : `must have at least ${min} items`;
      }
      return `must be ${bound} ${min}`;
    }
    case 'invalid_format':
      switch (issue.format) {
        case 'starts_with':
        case 'ends_with':
        case 'includes':
        case 'regex':
          return 'has an invalid format';
        default:
          return `must be a valid ${FORMAT_NAMES[issue.format] ?? issue.format}`;
      }
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return `${issue.keys.length === 1 ? 'unknown field' : 'unknown fields'} ${quoted(issue.keys).join(', ')}`;
    case 'invalid_value':
      if (issue.values.length === 1) return `must be ${quoted(issue.values).join('')}`;
      return `must be one of: ${issue.values.map(String).join(', ')}`;
    case 'invalid_union':
      // A missing field fails every branch of a union: it is missing, not invalid.
      return issue.input === undefined ? 'is required' : 'is not valid';
    case 'invalid_key':
      return 'has an invalid key';
    case 'invalid_element':
      return 'has an invalid item';
    case 'custom':
      return 'is not valid';
  }
}

/**
 * A schema's own message for a value that is there but wrong; a missing value still reads "is
 * required", as for every other field. (A schema-level `error` would answer both.)
 */
export function unlessMissing(message: string): z.core.$ZodErrorMap {
  return (issue) => (issue.input === undefined ? undefined : message);
}

// Installed once, with the schemas: every process that validates input (API, worker, CLI)
// imports them through this module.
z.config({ customError: validationMessage });

/**
 * The REST bridge (trpc-to-openapi) switches every top-level number/boolean input schema to
 * coercion, which would accept `true` as 1 or `"7"` as 7 in a JSON body. Wrapping a number schema in
 * a pipe keeps it exactly as strict as written, for REST and tRPC alike.
 */
export function exact(schema: z.ZodType<number, number>) {
  // Piped into itself: the same validation (run twice, cheaply), the same input and output types
  // for typed clients and the OpenAPI document, but no longer a bare coercible schema.
  return schema.pipe(schema);
}

/**
 * A moment in an output: a Date here, an ISO 8601 string once JSON-encoded (the REST bridge does
 * not use superjson), so the OpenAPI document says `format: date-time`.
 */
export const timestamp = z.date().meta({ format: 'date-time' });

/** A query-string friendly boolean: true/false, or "true"/"false" from a URL. */
export const booleanParam = z
  .union([z.boolean(), z.enum(['true', 'false'])], { error: 'must be true or false' })
  .transform((value) => value === true || value === 'true');

/**
 * The base of every free-form string a client sends. PostgreSQL rejects NUL (0x00) in text, and a
 * lone surrogate is not Unicode at all (it becomes U+FFFD when encoded, so two different inputs
 * would store, hash or compare as one), so both are a 400 here instead of a failure further in.
 */
export function safeString() {
  return z
    .string()
    .refine((value) => value.isWellFormed(), {
      error: 'must be well-formed Unicode (no lone surrogates)',
      abort: true,
    })
    .refine((value) => !value.includes('\0'), { error: 'must not contain NUL characters' });
}

/**
 * Text safe to store and show: well-formed Unicode without control or bidi-override characters,
 * in Normalization Form C, so text that looks the same is stored the same.
 */
export function displayText(max: number) {
  return safeString()
    .trim()
    .normalize('NFC')
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })
    .refine((value) => !/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u.test(value), {
      error: 'must not contain control characters',
    });
}

/**
 * A name that must be told apart from other names at a glance (and by a uniqueness check):
 * display text without default-ignorable code points (zero-width spaces and joiners, soft
 * hyphens, variation selectors, BOM…), which render as nothing and would let "Ca\u200Bfé" pass
 * as a different name than "Café".
 */
export function nameText(max: number) {
  return displayText(max).refine((value) => !/\p{Default_Ignorable_Code_Point}/u.test(value), {
    error: 'must not contain invisible characters (zero-width, soft hyphen, variation selector…)',
  });
}
