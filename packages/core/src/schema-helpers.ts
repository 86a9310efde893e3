// Building blocks for input schemas.
import { z } from 'zod';

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
  .union([z.boolean(), z.enum(['true', 'false'])])
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
