// `npm run cli -- user add|set-password|disable|list`: users from the command line (the first admin of a deployment).
import { parseArgs } from 'node:util';
import { createDb } from '../db/client.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { appendAudit } from '../db/queries/audit.ts';
import { DuplicateEmailError, getUserForLogin, insertUser, listUsers, ROLES, updateUser } from '../db/queries/users.ts';
import type { Role } from '../db/schema.ts';
import { generatePassword, hashPassword, passwordProblem } from '../server/passwords.ts';
import { loadConfig } from './config.ts';

export const USER_USAGE = `  user add --email E --role admin|oversight|director|viewer [--entity SLUG ...] [--name NAME]
                               add a user; the password is read from standard input, or, when none is piped in,
                               a one-time password is printed (to be changed at first sign-in)
  user set-password --email E  set a user's password (standard input, or a printed one-time password); ends their sessions
  user disable --email E       disable a user (ends their sessions, revokes their API tokens)
  user list                    the users, one JSON line each`;

/** What was piped in (without its final line break), or null when nothing is: a terminal, or no data within 3 s. */
async function readPipedPassword(): Promise<string | null> {
  if (process.stdin.isTTY) return null;
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    // A harness may leave an inherited pipe open without writing to it: waiting for its end would hang forever.
    const idle = setTimeout(() => finish(), 3000);
    const finish = () => {
      clearTimeout(idle);
      process.stdin.pause();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    process.stdin.on('data', (c: Buffer) => {
      chunks.push(c);
      idle.refresh();
    });
    process.stdin.on('end', finish);
    process.stdin.on('error', reject);
  });
  const password = text.replace(/\r?\n$/, '');
  return password === '' ? null : password;
}

export async function userCommand(rest: string[]): Promise<void> {
  const sub = rest[0];
  if (!['add', 'set-password', 'disable', 'list'].includes(sub)) throw new Error(`user needs a subcommand: add, set-password, disable or list (got ${sub === undefined ? 'none' : JSON.stringify(sub)})\n${USER_USAGE}`);
  const { values } = parseArgs({
    args: rest.slice(1),
    options: { email: { type: 'string' }, role: { type: 'string' }, entity: { type: 'string', multiple: true }, name: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  if (sub !== 'list' && !values.email) throw new Error(`user ${sub} needs --email`);
  if (sub === 'add') {
    if (!values.role || !ROLES.includes(values.role as Role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
    if (values.role === 'director' && !values.entity?.length) throw new Error('a director needs at least one --entity SLUG');
    if ((values.role === 'admin' || values.role === 'oversight') && values.entity?.length) throw new Error(`the ${values.role} role sees every entity: leave out --entity`);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email!)) throw new Error(`--email: ${JSON.stringify(values.email)} is not an e-mail address`);
  }
  // The password is read (and checked) before the database is opened.
  let password: string | null = null;
  if (sub === 'add' || sub === 'set-password') {
    password = await readPipedPassword();
    const problem = password === null ? null : passwordProblem(password, values.email);
    if (problem) throw new Error(`the password ${problem}`);
  }
  const config = loadConfig();
  const handle = await createDb({ databaseUrl: config.DATABASE_URL, dataDir: config.MIZAN_DATA_DIR });
  try {
    await migrateToLatest(handle.db);
    const db = handle.db;
    if (sub === 'list') {
      for (const u of await listUsers(db)) console.log(JSON.stringify(u));
      return;
    }
    const oneTime = password === null ? generatePassword() : null;
    const audit = (action: string, objectId: number, after?: unknown) => appendAudit(db, { actorEmail: 'cli', action, objectType: 'user', objectId, after });
    if (sub === 'add') {
      const entityIds: number[] = [];
      for (const slug of values.entity ?? []) {
        const e = await db.selectFrom('entity').select('id').where('slug', '=', slug).executeTakeFirst();
        if (!e) throw new Error(`--entity: no entity with the slug "${slug}"`);
        entityIds.push(e.id);
      }
      try {
        const user = await insertUser(db, { email: values.email!, name: values.name ?? null, role: values.role as Role, entityIds, passwordHash: await hashPassword(password ?? oneTime!), mustChangePassword: oneTime !== null });
        await audit('user.created', user.id, user);
        if (oneTime) console.error(`one-time password for ${user.email} (shown once; to be changed at first sign-in): ${oneTime}`);
        console.log(JSON.stringify({ id: user.id, email: user.email, role: user.role, entityIds: user.entityIds, ...(oneTime ? { oneTimePassword: oneTime } : {}) }));
      } catch (err) {
        if (err instanceof DuplicateEmailError) throw new Error(err.message);
        throw err;
      }
      return;
    }
    const user = await getUserForLogin(db, values.email!);
    if (!user) throw new Error(`no user with the e-mail ${values.email}`);
    if (sub === 'set-password') {
      await updateUser(db, user.id, { passwordHash: await hashPassword(password ?? oneTime!), mustChangePassword: oneTime !== null });
      await audit('user.password-set', user.id);
      if (oneTime) console.error(`one-time password for ${user.email} (shown once): ${oneTime}`);
      console.log(JSON.stringify({ id: user.id, email: user.email, ...(oneTime ? { oneTimePassword: oneTime } : {}) }));
    } else {
      await updateUser(db, user.id, { disabled: true });
      await audit('user.disabled', user.id);
      console.log(JSON.stringify({ id: user.id, email: user.email, disabled: true }));
    }
  } finally {
    await handle.close();
  }
}
