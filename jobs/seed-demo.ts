// Registers the invented demo entities and accounts (idempotent; their posts come from the demo connector) and the demo users.
import type { Db } from '../db/client.ts';
import { upsertAccount } from '../db/queries/accounts.ts';
import { upsertEntity } from '../db/queries/entities.ts';
import { getUserForLogin, insertUser, updateUser } from '../db/queries/users.ts';
import { generatePassword, hashPassword } from '../server/passwords.ts';
import { DEMO_ENTITIES } from './connectors/demo-data.ts';
import { demoAccountKey } from './connectors/demo.ts';

const PROFILE_URL: Record<string, (h: string) => string> = {
  x: (h) => `https://x.com/${h}`,
  instagram: (h) => `https://instagram.com/${h}`,
  facebook: (h) => `https://facebook.com/${h}`,
  youtube: (h) => `https://youtube.com/@${h}`,
};

export async function seedDemo(db: Db): Promise<{ entities: number; accounts: number }> {
  let accounts = 0;
  for (const e of DEMO_ENTITIES) {
    const entityId = await upsertEntity(db, { slug: e.slug, nameAr: e.nameAr, nameEn: e.nameEn, timezone: e.timezone, website: e.website });
    for (const a of e.accounts) {
      await upsertAccount(db, {
        entityId,
        platform: a.platform,
        connector: 'demo',
        handle: a.handle,
        displayName: a.displayName,
        type: a.type,
        profileText: a.profileText,
        url: PROFILE_URL[a.platform]?.(a.handle) ?? null,
        config: { demo: demoAccountKey(e.slug, a.handle) },
      });
      accounts++;
    }
  }
  return { entities: DEMO_ENTITIES.length, accounts };
}

/** The embedded demo's users: one per role; the director directs community-health. */
export const DEMO_USERS = [
  { email: 'admin@mizan.local', role: 'admin', entities: [] },
  { email: 'oversight@mizan.local', role: 'oversight', entities: [] },
  { email: 'director@mizan.local', role: 'director', entities: ['community-health'] },
  { email: 'viewer@mizan.local', role: 'viewer', entities: [] },
] as const;

/**
 * Creates (or resets) the demo users with `password`, or with a new random password each when none is given: the
 * caller prints them; they are written nowhere else. Only for the embedded demo, never on a real deployment.
 */
export async function seedDemoUsers(db: Db, password?: string): Promise<{ email: string; role: string; password: string }[]> {
  const out = [];
  for (const u of DEMO_USERS) {
    const pw = password ?? generatePassword();
    const entityIds = [];
    for (const slug of u.entities) {
      const e = await db.selectFrom('entity').select('id').where('slug', '=', slug).executeTakeFirst();
      if (e) entityIds.push(e.id);
    }
    const existing = await getUserForLogin(db, u.email);
    const passwordHash = await hashPassword(pw);
    if (existing) await updateUser(db, existing.id, { role: u.role, entityIds, passwordHash, disabled: false, mustChangePassword: false });
    else await insertUser(db, { email: u.email, role: u.role, entityIds, passwordHash, name: null });
    out.push({ email: u.email, role: u.role, password: pw });
  }
  return out;
}
