// What a caller may send about users. Every object is strict: unknown keys are rejected, so
// fields such as id, role on login, or passwordHash can never be mass-assigned.
import { z } from 'zod';
import { safeString, timestamp, unlessMissing } from '../schema-helpers.ts';

export const roleSchema = z.enum(['USER', 'ADMIN']);

/** Trimmed and lower-cased before validation, so the stored form is canonical. */
export const emailSchema = safeString()
  .max(254)
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.email({ error: 'must be a valid email address' }));

export const passwordSchema = safeString()
  .min(8, { error: 'must be at least 8 characters' })
  .max(128, { error: 'must be at most 128 characters' });

export const registerInput = z.strictObject({
  email: emailSchema,
  password: passwordSchema,
  role: roleSchema.optional(),
});

export const loginInput = z.strictObject({
  email: safeString()
    .max(254)
    .transform((value) => value.trim().toLowerCase()),
  password: safeString().max(128),
});

export const publicUser = z.object({
  id: z.uuid(),
  email: z.string(),
  role: roleSchema,
  createdAt: timestamp,
});

export const listUsersInput = z.strictObject({
  cursor: z.uuid({ error: 'must be a cursor from a previous page' }).optional(),
  limit: z.coerce.number<number>().int().min(1).max(100).default(20),
});

export const setRoleInput = z.strictObject({
  id: z.uuid({ error: unlessMissing('must be a user id (UUID)') }),
  role: roleSchema,
});

export type PublicUser = z.infer<typeof publicUser>;
export type RoleName = z.infer<typeof roleSchema>;
