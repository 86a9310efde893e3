// `pnpm admin:create --email <email> [--password <pw> | --password-stdin]`: creates an admin, or
// promotes an existing account (and sets its password). This is how a production deployment,
// which keeps ALLOW_ADMIN_SIGNUP=false, gets its first admin.
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { ConfigError, createDb, dbEnv } from '@chronicle/db';
import { createOrPromoteAdmin } from '../user/user.service.ts';
import { emailSchema, passwordSchema } from '../user/user.schema.ts';

const usage = 'usage: pnpm admin:create --email <email> (--password <password> | --password-stdin)';

async function main(): Promise<number> {
  const { values } = parseArgs({
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
    if (!email.success) console.error(`--email ${email.error.issues[0]?.message ?? 'is invalid'}`);
    if (!password.success) {
      console.error(`password ${password.error.issues[0]?.message ?? 'is invalid'}`);
    }
    console.error(usage);
    return 2;
  }
  const db = createDb(dbEnv(), { applicationName: 'chronicle-admin-cli' });
  try {
    const { user, created } = await createOrPromoteAdmin(db, email.data, password.data);
    console.log(`${created ? 'Created' : 'Promoted'} admin ${user.email} (${user.id}).`);
    return 0;
  } finally {
    await db.$disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
