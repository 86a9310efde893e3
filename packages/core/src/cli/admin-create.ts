// `pnpm admin:create --email <email> [--password <pw> | --password-stdin]`: creates an admin, or
// promotes an existing account (and sets its password). This is how a production deployment,
// which keeps ALLOW_ADMIN_SIGNUP=false, gets its first admin.
//
// Run directly (`node packages/core/src/cli/admin-create.ts`, as the containers do) it uses
// DATABASE_URL. `pnpm admin:create` goes through scripts/admin-create.ts, which first finds the
// database `pnpm start` uses (the embedded one when DATABASE_URL is unset) and hands it in here.
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { ConfigError, createDb, dbEnv, type Db } from '@chronicle/db';
import { createOrPromoteAdmin } from '../user/user.service.ts';
import { emailSchema, passwordSchema } from '../user/user.schema.ts';

const usage = 'usage: pnpm admin:create --email <email> (--password <password> | --password-stdin)';

const applicationName = 'chronicle-admin-cli';

/**
 * Runs the command on `argv` and resolves with its exit status (0 done, 1 failed, 2 usage);
 * messages go to stdout/stderr. `connect` is called only once the arguments are valid, so a
 * typo costs no database start-up; the returned client is disconnected here.
 */
export async function adminCreate(
  argv: readonly string[],
  connect: () => Promise<Db> = () => Promise.resolve(createDb(dbEnv(), { applicationName })),
): Promise<number> {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        email: { type: 'string' },
        password: { type: 'string' },
        'password-stdin': { type: 'boolean', default: false },
      },
      strict: true,
    });
    const rawPassword = values['password-stdin']
      ? (await text(process.stdin)).replace(/\r?\n$/, '')
      : values.password;
    const email = emailSchema.safeParse(values.email ?? '');
    const password = passwordSchema.safeParse(rawPassword ?? '');
    if (!email.success || !password.success) {
      if (!email.success)
        console.error(`--email ${email.error.issues[0]?.message ?? 'is invalid'}`);
      if (!password.success) {
        console.error(`password ${password.error.issues[0]?.message ?? 'is invalid'}`);
      }
      console.error(usage);
      return 2;
    }
    const db = await connect();
    try {
      const { user, created } = await createOrPromoteAdmin(db, email.data, password.data);
      console.log(`${created ? 'Created' : 'Promoted'} admin ${user.email} (${user.id}).`);
      return 0;
    } finally {
      await db.$disconnect();
    }
  } catch (error) {
    console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
    return 1;
  }
}

if (import.meta.main) process.exit(await adminCreate(process.argv.slice(2)));
