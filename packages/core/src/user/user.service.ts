// Accounts: registration, credential checks, listing and role changes.
import { z } from 'zod';
import type { Db } from '@chronicle/db';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.ts';
import { page, pageTake, type Page } from '../page.ts';
import { isUniqueViolation, rows } from '../sql.ts';
import { hashPassword, verifyPassword } from './password.ts';
import type { PublicUser, RoleName } from './user.schema.ts';

/** The only columns of a user that ever leave the service (never the hash). */
const publicUserSelect = { id: true, email: true, role: true, createdAt: true } as const;

export async function registerUser(
  db: Db,
  input: { email: string; password: string; role?: RoleName | undefined },
  policy: { allowAdminSignup: boolean },
): Promise<PublicUser> {
  const role = input.role ?? 'USER';
  if (role === 'ADMIN' && !policy.allowAdminSignup) {
    throw new ForbiddenError(
      'Registering as ADMIN is disabled; an operator creates admins with `pnpm admin:create`',
    );
  }
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.user.create({
      data: { email: input.email, passwordHash, role },
      select: publicUserSelect,
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ConflictError('An account with this email already exists');
    throw error;
  }
}

/** The user for these credentials, or null; takes the same time whether or not the email exists. */
export async function verifyCredentials(
  db: Db,
  email: string,
  password: string,
): Promise<PublicUser | null> {
  const user = await db.user.findUnique({
    where: { email },
    select: { ...publicUserSelect, passwordHash: true },
  });
  const ok = await verifyPassword(user?.passwordHash ?? null, password);
  if (!user || !ok) return null;
  const { passwordHash: _omit, ...rest } = user;
  return rest;
}

/** The users with these ids (one query), by id. */
export async function findUsers(db: Db, ids: readonly string[]): Promise<Map<string, PublicUser>> {
  const users = await db.user.findMany({
    where: { id: { in: [...ids] } },
    select: publicUserSelect,
  });
  return new Map(users.map((user) => [user.id, user]));
}

export async function listUsers(
  db: Db,
  input: { cursor?: string | undefined; limit: number },
): Promise<Page<PublicUser>> {
  // UUIDv7 ids are time-ordered, so id order is creation order and a stable cursor.
  const users = await db.user.findMany({
    select: publicUserSelect,
    orderBy: { id: 'asc' },
    take: pageTake(input.limit),
    ...(input.cursor ? { where: { id: { gt: input.cursor } } } : {}),
  });
  return page(users, input.limit, (last) => last.id);
}

/**
 * Changes a user's role. The last admin cannot be demoted: the admin rows are locked while the
 * count is checked, so two concurrent demotions cannot both pass.
 */
export async function setUserRole(db: Db, id: string, role: RoleName): Promise<PublicUser> {
  return db.$transaction(async (tx) => {
    const admins = rows(
      z.object({ id: z.string() }),
      await tx.$queryRaw`SELECT id FROM users WHERE role = 'ADMIN' ORDER BY id FOR UPDATE`,
    );
    const target = await tx.user.findUnique({ where: { id }, select: publicUserSelect });
    if (!target) throw new NotFoundError('User not found');
    if (target.role === 'ADMIN' && role !== 'ADMIN' && admins.length <= 1) {
      throw new ConflictError('The last admin cannot be demoted');
    }
    if (target.role === role) return target;
    return tx.user.update({ where: { id }, data: { role }, select: publicUserSelect });
  });
}

/** Creates an admin, or promotes (and re-passwords) an existing account. Used by the admin CLI. */
export async function createOrPromoteAdmin(
  db: Db,
  email: string,
  password: string,
): Promise<{ user: PublicUser; created: boolean }> {
  const passwordHash = await hashPassword(password);
  const existing = await db.user.findUnique({ where: { email }, select: { id: true } });
  const user = await db.user.upsert({
    where: { email },
    create: { email, passwordHash, role: 'ADMIN' },
    update: { passwordHash, role: 'ADMIN' },
    select: publicUserSelect,
  });
  return { user, created: !existing };
}
