// Registers the invented demo entities and accounts (idempotent); their posts come from the demo connector.
import type { Db } from '../db/client.ts';
import { upsertAccount } from '../db/queries/accounts.ts';
import { upsertEntity } from '../db/queries/entities.ts';
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
