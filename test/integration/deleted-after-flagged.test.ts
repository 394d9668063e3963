// The scorecard's "deleted after being flagged": posts the entity removed after Mizan flagged them.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { savePostsPage } from '../../db/queries/imports.ts';
import { testConfig } from '../../jobs/config.ts';
import { runScoring } from '../../jobs/score.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import type { Scorecard } from '../../server/api-types.ts';
import { signedIn } from '../helpers/auth.ts';
import { createApp } from '../../server/app.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';
import { importedPost } from '../helpers/posts.ts';

const rulebook = loadRulebook();
const NOW = new Date('2026-11-20T09:00:00Z');
const post = (id: string, text: string, deleted = false) => importedPost(id, text, { deleted });
const IBAN = 'للتحويل: الحساب BH67BMAG00001299123456 باسم الموظف';
const CLEAN = 'افتتاح مركز الخدمات الجديد في المحرق';

describe.each(BACKENDS)('deleted after being flagged on %s', (kind) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await testDb(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  test('only posts flagged before their deletion count', async () => {
    const entityId = await upsertEntity(h.db, { slug: 'deleter', nameAr: 'جهة', nameEn: 'Deleter' });
    const accountId = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'list', handle: 'deleter', type: 'official' });
    const account = { id: accountId, entityId, timezone: 'Asia/Bahrain' };
    const deps = { db: h.db, rulebook, connectors: {}, log: () => {} };
    await savePostsPage(h.db, account, [post('flagged', IBAN), post('clean', CLEAN)], null, '1', NOW);
    await runScoring(deps, { now: NOW });
    // Both disappear from the platform; a third is flagged only after it was already deleted.
    await savePostsPage(h.db, account, [post('flagged', IBAN, true), post('clean', CLEAN, true), post('late', IBAN, true)], '1', '2', new Date(NOW.getTime() + 60_000));
    await runScoring(deps, { now: new Date(NOW.getTime() + 120_000) });
    const app = await signedIn(createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }), now: () => NOW }), h.db, { now: NOW });
    const card = (await (await app.request(`/api/entities/${entityId}?from=2026-11-01&to=2026-11-30`)).json()) as Scorecard;
    expect(card.deletedAfterFlagged.count).toBe(1);
    expect(card.deletedAfterFlagged.items.map((p) => [p.text, p.deleted])).toEqual([[IBAN, true]]);
  });
});
