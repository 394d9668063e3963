import { isValidIBAN } from 'ibantools';
import { describe, expect, it } from 'vitest';
import { DEMO_ENTITIES } from '../../jobs/connectors/demo-data.ts';
import {
  DEMO_ACCOUNTS,
  demoAccountKey,
  demoConnector,
  demoHistoryStart,
  demoWindow,
  ibanCheckDigits,
  occasionOfDay,
  type DemoAccountInfo,
  type DemoItem,
} from '../../jobs/connectors/demo.ts';
import type { ConnectorAccount, FetchPage, ImportedPost } from '../../jobs/connectors/types.ts';

const NOW = new Date('2026-11-24T13:20:00Z');
const DAY = 86_400_000;
const HOUR = 3_600_000;

function accountOf(info: DemoAccountInfo): ConnectorAccount {
  return { id: info.index + 1, entityId: 1, platform: 'demo', handle: info.account.handle, platformAccountId: null, type: info.account.type, config: { demo: info.key } };
}

async function fetchAll(info: DemoAccountInfo, now: Date, cursor: string | null = null): Promise<{ pages: FetchPage[]; posts: ImportedPost[] }> {
  const pages: FetchPage[] = [];
  for (let i = 0; i < 500; i++) {
    const page = await demoConnector.fetchPage(accountOf(info), { cursor, now });
    pages.push(page);
    cursor = page.nextCursor;
    if (page.done) break;
  }
  return { pages, posts: pages.flatMap((p) => p.posts) };
}

const key = (p: ImportedPost) => `${p.platformPostId}|${p.editedAt ? 'edit' : p.deleted ? 'delete' : 'original'}`;

// The whole 18-month history of every account, computed once through the connector itself.
const history = new Map<string, { pages: FetchPage[]; posts: ImportedPost[] }>();
let historyMs = 0;
async function allHistory() {
  if (!history.size) {
    // CPU time of this process rather than wall time: other processes on a busy machine do not count.
    const c0 = process.cpuUsage();
    for (const info of DEMO_ACCOUNTS) history.set(info.key, await fetchAll(info, NOW));
    const c = process.cpuUsage(c0);
    historyMs = (c.user + c.system) / 1000;
  }
  return history;
}
const originalsOf = (posts: ImportedPost[]) => posts.filter((p) => !p.editedAt && !p.deleted);

describe('demo data', () => {
  it('has about 12 invented entities and about 30 accounts with unique keys', () => {
    expect(DEMO_ENTITIES.length).toBeGreaterThanOrEqual(10);
    expect(DEMO_ACCOUNTS.length).toBeGreaterThanOrEqual(25);
    expect(DEMO_ACCOUNTS.length).toBeLessThanOrEqual(40);
    expect(new Set(DEMO_ACCOUNTS.map((a) => a.key)).size).toBe(DEMO_ACCOUNTS.length);
    expect(new Set(DEMO_ENTITIES.map((e) => e.sector)).size).toBe(12);
    for (const e of DEMO_ENTITIES) {
      expect(e.timezone).toBe('Asia/Bahrain');
      expect(e.website).toMatch(/^https:\/\/[a-z-]+\.demo\.gov\.bh$/);
    }
    expect(demoAccountKey('community-health', 'CommunityHealthBH')).toBe('community-health/CommunityHealthBH');
  });

  it('has personal accounts with and without a disclaimer, and one or two dormant official accounts', () => {
    const personal = DEMO_ACCOUNTS.filter((a) => a.account.type !== 'official');
    const withDisclaimer = personal.filter((a) => /الآراء الواردة تعبر عن رأيي الشخصي|views are my own/i.test(a.account.profileText));
    expect(withDisclaimer.length).toBeGreaterThan(personal.length / 2);
    expect(withDisclaimer.length).toBeLessThan(personal.length);
    const dormant = DEMO_ACCOUNTS.filter((a) => a.account.dormantSince);
    expect(dormant.length).toBeGreaterThanOrEqual(1);
    expect(dormant.length).toBeLessThanOrEqual(2);
    expect(dormant.every((a) => a.account.type === 'official')).toBe(true);
  });

  it('knows Ramadan, the Eids and National Day', () => {
    const d = (iso: string) => Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY);
    expect(occasionOfDay(d('2026-02-18'))).toBe('ramadan');
    expect(occasionOfDay(d('2026-03-19'))).toBe('ramadan');
    expect(occasionOfDay(d('2025-03-10'))).toBe('ramadan');
    expect(occasionOfDay(d('2026-03-20'))).toBe('eid-fitr');
    expect(occasionOfDay(d('2025-06-06'))).toBe('eid-adha');
    expect(occasionOfDay(d('2025-12-16'))).toBe('national-day');
    expect(occasionOfDay(d('2026-07-01'))).toBeNull();
  });

  it('computes valid IBAN check digits', () => {
    expect(ibanCheckDigits('GB', 'WEST12345698765432')).toBe('82'); // the ISO 13616 example GB82WEST12345698765432
    expect(isValidIBAN(`BH${ibanCheckDigits('BH', 'MZNB12345678901234')}MZNB12345678901234`)).toBe(true);
  });
});

describe('demo connector', () => {
  const info = DEMO_ACCOUNTS.find((a) => a.key === 'public-services/PublicServicesBH')!;

  it('is deterministic: the same window gives the same posts', async () => {
    const ctx = { cursor: '2026-03-01T00:00:00.000Z', now: NOW };
    const a = await demoConnector.fetchPage(accountOf(info), ctx);
    const b = await demoConnector.fetchPage(accountOf(info), ctx);
    expect(a.posts.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    const lo = Date.parse('2026-03-01T00:00:00Z');
    const w1 = demoWindow(info, lo, lo + 30 * DAY);
    expect(w1.length).toBeGreaterThan(100);
    expect(demoWindow(info, lo, lo + 30 * DAY)).toEqual(w1);
  });

  it('gives the same posts whether a period is covered in one call or many', () => {
    const lo = Date.parse('2026-01-10T00:00:00Z');
    const hi = Date.parse('2026-04-10T00:00:00Z');
    const whole = demoWindow(info, lo, hi).map((i) => key(i.post));
    const parts: string[] = [];
    let t = lo;
    let step = 0;
    while (t < hi) {
      const next = Math.min(hi, t + (7 * HOUR + 13 * 60_000 + 17_000) * (1 + (step++ % 5)));
      parts.push(...demoWindow(info, t, next).map((i) => key(i.post)));
      t = next;
    }
    expect(parts).toEqual(whole);
    expect(new Set(whole).size).toBe(whole.length);
  });

  it('pages through the history, at most 45 days a page, the cursor advancing to now', async () => {
    const { pages, posts } = (await allHistory()).get(info.key)!;
    expect(pages.length).toBeGreaterThanOrEqual(13);
    let prev = demoHistoryStart(NOW).getTime();
    for (const [i, p] of pages.entries()) {
      const end = Date.parse(p.nextCursor!);
      expect(end).toBeGreaterThan(prev);
      expect(end - prev).toBeLessThanOrEqual(45 * DAY);
      expect(p.done).toBe(i === pages.length - 1);
      for (const post of p.posts) {
        const at = (post.editedAt ?? (post.deleted ? null : post.postedAt))?.getTime();
        if (at !== undefined) expect(at).toBeLessThan(end);
      }
      prev = end;
    }
    expect(pages.at(-1)!.nextCursor).toBe(NOW.toISOString());
    // The pages hold exactly what one window over the whole history holds.
    const whole = demoWindow(info, demoHistoryStart(NOW).getTime(), NOW.getTime(), { historyStartMs: demoHistoryStart(NOW).getTime() });
    expect(posts.map(key).sort()).toEqual(whole.map((i) => key(i.post)).sort());
    // A fetch at the end returns nothing new.
    const again = await demoConnector.fetchPage(accountOf(info), { cursor: NOW.toISOString(), now: NOW });
    expect(again).toEqual({ posts: [], nextCursor: NOW.toISOString(), done: true });
  });

  it('spans about 18 months with a plausible number of posts a month', async () => {
    const all = await allHistory();
    const posts = [...all.values()].flatMap((h) => originalsOf(h.posts));
    expect(posts.length).toBeGreaterThan(30_000);
    expect(posts.length).toBeLessThan(70_000);
    const times = posts.map((p) => p.postedAt.getTime());
    const first = Math.min(...times);
    const last = Math.max(...times);
    expect(first - demoHistoryStart(NOW).getTime()).toBeLessThan(DAY);
    expect(NOW.getTime() - last).toBeLessThan(DAY);
    const byMonth = new Map<string, number>();
    for (const p of posts) {
      const m = p.postedAt.toISOString().slice(0, 7);
      byMonth.set(m, (byMonth.get(m) ?? 0) + 1);
    }
    const full = [...byMonth.entries()].filter(([m]) => m > '2025-05' && m < '2026-11');
    expect(full.length).toBe(17);
    for (const [, n] of full) {
      expect(n).toBeGreaterThan(1500);
      expect(n).toBeLessThan(4000);
    }
    // Per account: officials post most days, personal accounts a few times a month.
    for (const a of DEMO_ACCOUNTS) {
      const n = originalsOf(all.get(a.key)!.posts).length / 18;
      if (a.account.type === 'official' && a.account.platform !== 'youtube') expect(n).toBeGreaterThan(30);
      else expect(n).toBeGreaterThan(5);
    }
    // No duplicate ids within an account.
    for (const h of all.values()) {
      const ids = originalsOf(h.posts).map((p) => p.platformPostId);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  // Speed belongs in test/bench: this only catches a freeze or an order of magnitude (about 1.5 s of CPU here, even with both cores busy).
  it('generates 18 months for every account without freezing: under 30 s of CPU', async () => {
    await allHistory();
    expect(historyMs).toBeGreaterThan(0);
    expect(historyMs).toBeLessThan(30_000);
  });

  it('is quiet at night in Bahrain and busier in Ramadan', async () => {
    const posts = [...(await allHistory()).values()].flatMap((h) => originalsOf(h.posts));
    const night = posts.filter((p) => (p.postedAt.getUTCHours() + 3) % 24 < 7).length;
    expect(night / posts.length).toBeLessThan(0.08);
    const perDay = (from: string, to: string) => {
      const lo = Date.parse(from);
      const hi = Date.parse(to);
      return posts.filter((p) => p.postedAt.getTime() >= lo && p.postedAt.getTime() < hi).length / ((hi - lo) / DAY);
    };
    expect(perDay('2026-02-18T00:00:00+03:00', '2026-03-20T00:00:00+03:00')).toBeGreaterThan(1.15 * perDay('2026-01-05T00:00:00+03:00', '2026-02-04T00:00:00+03:00'));
    const ramadan = posts.filter((p) => p.postedAt >= new Date('2026-02-18T00:00:00+03:00') && p.postedAt < new Date('2026-03-20T00:00:00+03:00'));
    expect(ramadan.some((p) => /رمضان كريم|Ramadan Kareem/.test(p.text))).toBe(true);
    const nationalDay = posts.filter((p) => p.postedAt >= new Date('2025-12-16T00:00:00+03:00') && p.postedAt < new Date('2025-12-18T00:00:00+03:00'));
    expect(nationalDay.filter((p) => /الأعياد الوطنية|National Day/.test(p.text)).length).toBeGreaterThan(10);
  });

  it('writes mostly Arabic, a good share of English, some bilingual posts', () => {
    const start = demoHistoryStart(NOW).getTime();
    const counts = { ar: 0, en: 0, both: 0 };
    let replies = 0;
    let reposts = 0;
    let n = 0;
    for (const a of DEMO_ACCOUNTS) {
      for (const i of demoWindow(a, start, NOW.getTime())) {
        if (i.event !== 'original') continue;
        n++;
        counts[i.content.lang]++;
        if (i.post.isReply) replies++;
        if (i.post.isRepost) reposts++;
        if (i.content.lang === 'both') expect(i.post.text).toMatch(/[\u0600-\u06FF][\s\S]*\n\n[\s\S]*[A-Za-z]/);
        expect(i.post.lang).toBe(i.content.lang === 'en' ? 'en' : 'ar');
      }
    }
    expect(counts.ar / n).toBeGreaterThan(0.55);
    expect(counts.ar / n).toBeLessThan(0.68);
    expect(counts.en / n).toBeGreaterThan(0.24);
    expect(counts.en / n).toBeLessThan(0.36);
    expect(counts.both / n).toBeGreaterThan(0.06);
    expect(counts.both / n).toBeLessThan(0.14);
    expect(replies / n).toBeGreaterThan(0.1);
    expect(replies / n).toBeLessThan(0.22);
    expect(reposts / n).toBeGreaterThan(0.02);
    expect(reposts / n).toBeLessThan(0.08);
  });

  it('weaves in about 10% of violations, more on personal accounts, with made-up data that detectors can check', () => {
    const start = demoHistoryStart(NOW).getTime();
    const byType = { official: [0, 0], executive: [0, 0], employee: [0, 0] };
    const categories = new Set<string>();
    const items: DemoItem[] = [];
    for (const a of DEMO_ACCOUNTS) {
      for (const i of demoWindow(a, start, NOW.getTime())) {
        if (i.event !== 'original') continue;
        byType[a.account.type][0]++;
        if (i.content.violation) {
          byType[a.account.type][1]++;
          categories.add(i.content.violation);
          items.push(i);
        }
      }
    }
    const total = byType.official[0] + byType.executive[0] + byType.employee[0];
    const flagged = byType.official[1] + byType.executive[1] + byType.employee[1];
    expect(flagged / total).toBeGreaterThan(0.08);
    expect(flagged / total).toBeLessThan(0.12);
    const rate = (t: keyof typeof byType) => byType[t][1] / byType[t][0];
    expect(rate('employee')).toBeGreaterThan(rate('executive'));
    expect(rate('executive')).toBeGreaterThan(rate('official'));
    expect([...categories].sort()).toEqual(['abuse', 'beliefs', 'confidentiality', 'infosec', 'misuse_of_position', 'personal_data', 'public_morals', 'reputation']);

    const texts = items.map((i) => i.post.text).join('\n');
    const ibans = texts.match(/BH\d{2}[A-Z]{4}\d{14}/g) ?? [];
    expect(ibans.length).toBeGreaterThan(10);
    for (const iban of ibans) expect(isValidIBAN(iban)).toBe(true);
    const cprs = [...texts.matchAll(/(?:رقم شخصي|CPR) (\d{9})/g)].map((m) => m[1]);
    expect(cprs.length).toBeGreaterThan(10);
    for (const c of cprs) {
      const month = Number(c.slice(2, 4));
      expect(month).toBeGreaterThanOrEqual(1);
      expect(month).toBeLessThanOrEqual(12);
    }
    expect(texts).toMatch(/\+973 3\d{3} \d{4}/);
    expect(texts).toMatch(/مجمع \d+ طريق \d+ منزل \d+/);
    expect(texts).toMatch(/يا حمار/);
    expect(texts).toMatch(/تعميم داخلي - سري للغاية/);
    expect(texts).toMatch(/شائعة/);
  });

  it('includes hard negatives: hotlines, «سريع», religious greetings, quoted laws, drug awareness', () => {
    const start = demoHistoryStart(NOW).getTime();
    const clean = DEMO_ACCOUNTS.flatMap((a) => demoWindow(a, start, NOW.getTime()))
      .filter((i) => i.event === 'original' && !i.content.violation)
      .map((i) => i.post.text)
      .join('\n');
    expect(clean).toMatch(/\b8000\d{4}\b/);
    expect(clean).toMatch(/السريع/);
    expect(clean).toMatch(/بسرية تامة/);
    expect(clean).toMatch(/جمعة مباركة/);
    expect(clean).toMatch(/عيد .*مبارك|Eid Mubarak/);
    expect(clean).toMatch(/وفقاً للمادة \(\d+\) من القانون رقم/);
    expect(clean).toMatch(/المخدرات/);
    expect(clean).toMatch(/إنا لله وإنا إليه راجعون/);
  });

  it('re-emits edited and deleted posts as evidence, never in the same page as the original', async () => {
    const all = await allHistory();
    let edits = 0;
    let deletes = 0;
    let originals = 0;
    for (const { pages, posts } of all.values()) {
      const byId = new Map(originalsOf(posts).map((p) => [p.platformPostId, p]));
      originals += byId.size;
      for (const page of pages) {
        const ids = page.posts.map((p) => p.platformPostId);
        expect(new Set(ids).size).toBe(ids.length);
      }
      for (const p of posts) {
        if (!p.editedAt && !p.deleted) continue;
        const orig = byId.get(p.platformPostId);
        if (!orig) continue; // the original lies before the history start
        expect(p.postedAt).toEqual(orig.postedAt);
        expect(p.url).toBe(orig.url);
        if (p.editedAt) {
          edits++;
          expect(p.text).not.toBe(orig.text);
          const delay = p.editedAt.getTime() - orig.postedAt.getTime();
          expect(delay).toBeGreaterThanOrEqual(HOUR);
          expect(delay).toBeLessThan(13 * HOUR);
        } else {
          deletes++;
          expect(p.text).toBe(orig.text);
        }
      }
    }
    expect(edits / originals).toBeGreaterThan(0.006);
    expect(edits / originals).toBeLessThan(0.016);
    expect(deletes / originals).toBeGreaterThan(0.0015);
    expect(deletes / originals).toBeLessThan(0.006);
  });

  it('adds live posts for about 3 accounts on each 5-minute run', async () => {
    let live = 0;
    const seen = new Set<string>();
    for (let run = 0; run < 10; run++) {
      const now = new Date(NOW.getTime() + run * 5 * 60_000);
      const cursor = new Date(now.getTime() - 5 * 60_000).toISOString();
      const group = Math.floor(now.getTime() / 300_000) % 10;
      for (const a of DEMO_ACCOUNTS) {
        const page = await demoConnector.fetchPage(accountOf(a), { cursor, now });
        expect(page.done).toBe(true);
        expect(page.nextCursor).toBe(now.toISOString());
        const atEnd = page.posts.filter((p) => now.getTime() - p.postedAt.getTime() <= 60_000);
        if (a.index % 10 === group && !a.account.dormantSince) {
          expect(atEnd.length).toBeGreaterThanOrEqual(1);
          live++;
          seen.add(a.key);
        }
        // Same (cursor, now), same answer.
        expect(await demoConnector.fetchPage(accountOf(a), { cursor, now })).toEqual(page);
      }
    }
    expect(live).toBeGreaterThanOrEqual(25);
    expect(seen.size).toBeGreaterThanOrEqual(DEMO_ACCOUNTS.length - 2);
    // Not for long windows, nor for windows that end before now.
    const a0 = DEMO_ACCOUNTS.find((a) => !a.account.dormantSince && a.account.activity < 1)!;
    const nowG = new Date(Math.ceil(NOW.getTime() / 3_000_000) * 3_000_000 + (a0.index % 10) * 300_000);
    const longWindow = await demoConnector.fetchPage(accountOf(a0), { cursor: new Date(nowG.getTime() - 3 * HOUR).toISOString(), now: nowG });
    const regular = demoWindow(a0, nowG.getTime() - 3 * HOUR, nowG.getTime());
    expect(longWindow.posts.map((p) => p.platformPostId)).toEqual(regular.map((i) => i.post.platformPostId));
  });

  it('keeps dormant official accounts silent for the last 45 days', async () => {
    const all = await allHistory();
    for (const a of DEMO_ACCOUNTS.filter((x) => x.account.dormantSince)) {
      const posts = originalsOf(all.get(a.key)!.posts);
      expect(posts.length).toBeGreaterThan(100);
      const last = Math.max(...posts.map((p) => p.postedAt.getTime()));
      expect(NOW.getTime() - last).toBeGreaterThan(45 * DAY);
    }
  });

  it('shapes ids, urls, metrics and raw payloads like the platform', async () => {
    const all = await allHistory();
    const shapes: Record<string, RegExp> = {
      x: /^https:\/\/x\.com\/\w+\/status\/\d{15,20}$/,
      instagram: /^https:\/\/www\.instagram\.com\/p\/[\w-]{11}\/$/,
      facebook: /^https:\/\/www\.facebook\.com\/\w+\/posts\/\d+$/,
      youtube: /^https:\/\/www\.youtube\.com\/watch\?v=[\w-]{11}$/,
    };
    for (const a of DEMO_ACCOUNTS) {
      const posts = originalsOf(all.get(a.key)!.posts).slice(0, 200);
      for (const p of posts) {
        expect(p.url).toMatch(shapes[a.account.platform]);
        if (a.account.platform === 'x' || a.account.platform === 'facebook') expect(p.url).toContain(a.account.handle);
        if (a.account.platform === 'youtube') expect(p.url).toContain(p.platformPostId);
        for (const v of Object.values(p.metrics)) expect(Number.isInteger(v) && v >= 0).toBe(true);
        expect(p.metrics.views).toBeGreaterThanOrEqual(p.metrics.likes);
        const raw = p.raw as Record<string, unknown>;
        if (a.account.platform === 'x') {
          expect(raw).toMatchObject({ id: p.platformPostId, text: p.text, created_at: p.postedAt.toISOString() });
          expect(raw.public_metrics).toMatchObject({ like_count: p.metrics.likes, impression_count: p.metrics.views });
        } else if (a.account.platform === 'instagram') {
          expect(raw).toMatchObject({ id: p.platformPostId, caption: p.text, timestamp: p.postedAt.toISOString() });
        } else if (a.account.platform === 'facebook') {
          expect(raw).toMatchObject({ id: p.platformPostId, message: p.text });
        } else {
          expect(raw).toMatchObject({ kind: 'youtube#video', id: p.platformPostId });
        }
      }
    }
  });

  it('rejects accounts without a known demo key and bad cursors', async () => {
    const base = accountOf(info);
    await expect(demoConnector.fetchPage({ ...base, config: {} }, { cursor: null, now: NOW })).rejects.toThrow(/config\.demo/);
    await expect(demoConnector.fetchPage({ ...base, config: { demo: 'nope/none' } }, { cursor: null, now: NOW })).rejects.toThrow(/nope\/none/);
    await expect(demoConnector.fetchPage(base, { cursor: 'yesterday', now: NOW })).rejects.toThrow(/cursor/);
    const future = await demoConnector.fetchPage(base, { cursor: '2027-01-01T00:00:00.000Z', now: NOW });
    expect(future).toEqual({ posts: [], nextCursor: '2027-01-01T00:00:00.000Z', done: true });
  });
});
