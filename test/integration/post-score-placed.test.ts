// The score row's copy of where and when its post is (migration 0025), which the scorecard's most severe posts read
// through post_score_flagged_idx: written by the scorer, filled from the post by a trigger for writers that omit it,
// and moved along when the post moves (its date corrected, its account moved to another entity).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { savePostsPage } from '../../db/queries/imports.ts';
import { listFlaggedPosts } from '../../db/queries/posts.ts';
import { runScoring } from '../../jobs/score.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';
import { importedPost } from '../helpers/posts.ts';

const NOW = new Date('2026-11-20T09:00:00Z');

describe.each(BACKENDS)('post_score carries its post\'s entity and date on %s', (kind) => {
  let h: DbHandle;
  let entityA: number;
  let entityB: number;
  const placement = () =>
    sql<{ id: number; same: boolean; entity_id: number; local_day: string }>`
      select p.id, (s.entity_id = p.entity_id and s.local_day = p.local_day and s.posted_at = p.posted_at) as same, s.entity_id, s.local_day
      from post p join post_score s on s.post_id = p.id order by p.id`.execute(h.db).then((r) => r.rows);

  beforeAll(async () => {
    h = await testDb(kind);
    entityA = await upsertEntity(h.db, { slug: 'placed-a', nameAr: 'أ', nameEn: 'A' });
    entityB = await upsertEntity(h.db, { slug: 'placed-b', nameAr: 'ب', nameEn: 'B' });
    const account = await upsertAccount(h.db, { entityId: entityA, platform: 'x', connector: 'list', handle: 'placed', type: 'official' });
    const at = (day: string) => ({ postedAt: new Date(`2026-11-${day}T09:00:00Z`) });
    await savePostsPage(
      h.db,
      { id: account, entityId: entityA, timezone: 'Asia/Bahrain' },
      [
        importedPost('phone-old', 'اتصلوا على 36123456', at('05')),
        importedPost('iban', 'للتحويل: الحساب BH67BMAG00001299123456 باسم الموظف', at('06')),
        importedPost('phone-new', 'اتصلوا على 36123457', at('12')),
        importedPost('clean', 'افتتاح مركز الخدمات الجديد في المحرق', at('13')),
      ],
      null,
      '1',
      NOW,
    );
    await runScoring({ db: h.db, rulebook: loadRulebook(), connectors: {}, log: () => {} }, { now: NOW });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('the scorer writes them; the flagged posts come most severe first, then newest', async () => {
    expect((await placement()).every((r) => r.same)).toBe(true);
    const flagged = await listFlaggedPosts(h.db, 'all', { entityId: entityA, from: '2026-11-01', to: '2026-11-30', limit: 10 });
    expect(flagged.map((p) => p.text.slice(0, 12))).toEqual(['للتحويل: الح', 'اتصلوا على 3', 'اتصلوا على 3']);
    expect(new Date(flagged[1].postedAt).toISOString()).toBe('2026-11-12T09:00:00.000Z');
    expect(await listFlaggedPosts(h.db, 'all', { entityId: entityA, from: '2026-11-07', to: '2026-11-30', limit: 10 })).toHaveLength(1);
  });

  test('a writer that leaves them out gets them from the post (the trigger)', async () => {
    // Written as null (as an insert without them writes them), they are read from the post instead.
    await sql`update post_score set entity_id = null, local_day = null, posted_at = null`.execute(h.db);
    expect((await placement()).every((r) => r.same)).toBe(true);
  });

  test('a post that moves takes its score along: its date corrected, its account moved to another entity', async () => {
    const [first] = await placement();
    await sql`update post set posted_at = '2026-10-01T09:00:00Z', local_day = '2026-10-01' where id = ${first.id}`.execute(h.db);
    await sql`update post set entity_id = ${entityB} where id = ${first.id}`.execute(h.db);
    const moved = (await placement()).find((r) => r.id === first.id)!;
    expect(moved).toMatchObject({ same: true, entity_id: entityB, local_day: '2026-10-01' });
    const { rows } = await sql<{ posted_at: Date }>`select posted_at from finding where post_id = ${first.id}`.execute(h.db);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(new Date(r.posted_at).toISOString()).toBe('2026-10-01T09:00:00.000Z');
    expect((await listFlaggedPosts(h.db, 'all', { entityId: entityB, from: '2026-10-01', to: '2026-10-31', limit: 10 })).map((p) => p.id)).toEqual([first.id]);
  });
});
