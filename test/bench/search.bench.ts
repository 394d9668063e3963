// npm run bench:search: latency of GET /api/posts?q=… (listPosts with q) on N generated posts, beside two
// baselines measured in the same run on the same data: the same query with the trigram index switched off
// (enable_bitmapscan = off: GIN is read only through bitmap scans), and the query as it was before the
// index (mizan_fold(p.text) like … on every row).
//   DATABASE_URL=postgres://… npm run bench:search   PostgreSQL: a scratch database on that server, 1,000,000 posts
//   npm run bench:search                             PGlite in memory, 100,000 posts
// BENCH_POSTS, BENCH_ROUNDS (new query), BENCH_BASELINE_ROUNDS; BENCH_KEEP=1 keeps the PostgreSQL scratch
// database and a later run with the same BENCH_POSTS reuses it.
import os from 'node:os';
import { sql } from 'kysely';
import pg from 'pg';
import { createDb, type DbHandle } from '../../db/client.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { listPosts } from '../../db/queries/posts.ts';

const url = process.env.DATABASE_URL || null;
const N = Number(process.env.BENCH_POSTS ?? (url ? 1_000_000 : 100_000));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const BASELINE_ROUNDS = Number(process.env.BENCH_BASELINE_ROUNDS ?? (url ? 3 : 5));
const KEEP = process.env.BENCH_KEEP === '1';
const SCRATCH = `mizan_search_bench_${N}`;

// Words of government posts, with the spellings that folding joins (hamza forms, ta marbuta, diacritics).
const AR = `وزارة الصحة تعلن عن إطلاق خدمة جديدة للمواطنين والمقيمين في من على إلى الهيئة العامة مؤتمر صحفي اليوم المسؤول
  أعلن الإعلان إعلان برنامج التطوير الرقمي التعليم المدارس الطلاب الموظفين الخدمات الإلكترونية البلدية الطرق مشروع افتتاح
  سمو الشيخ رئيس مجلس الوزراء الكويت البحرين قطر شُكْرًا لكم نرجو التواصل عبر الرابط التالي مستشفى المرضى الأطفال مبادرة
  توعية السلامة المرورية الأمطار تنبيه مؤسسة مسؤولية هيئة شؤون رؤية ٢٠٣٥ الدولة المواطن أبناء الوطن الرياضة الشباب`.split(/\s+/);
const EN = `the ministry of health announces launch new service for citizens and residents today press conference digital
  program schools students road project opening thank you please visit link hospital children initiative awareness safety
  traffic rain alert #Kuwait vision 2035 update public authority council minister meeting national day`.split(/\s+/);

// Frequencies: each vocabulary word is in roughly a fifth of the posts of its language; MEDIUM words in
// 1 post of 200, RARE words in 1 of 20,000.
const QUERIES: [name: string, q: string][] = [
  ['common Arabic word', 'الخدمات'],
  ['common English word', 'service'],
  ['Arabic, hamza variant', 'اعلان'],
  ['Arabic, diacritics folded', 'شكرا'],
  ['two Arabic words', 'شكرا لكم'],
  ['medium Arabic word', 'تطعيم'],
  ['medium English word', 'vaccine'],
  ['rare Arabic word', 'زلزال'],
  ['rare English word', 'earthquake'],
  ['no match, Arabic', 'برتقالة'],
  ['no match, English', 'xylophone'],
  ['no match, common trigrams', 'الخدمات الرياضة الشباب'],
  ['3 characters, common', 'الم'],
  ['3 characters, rare', 'ظغظ'],
  ['2 characters, common', 'في'],
  ['2 characters, no match', 'zq'],
];

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), p95: at(0.95) };
}
const fmt = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(1)} ms`).padStart(9);

async function open(): Promise<{ h: DbHandle; drop: () => Promise<void>; reused: boolean }> {
  // One connection, so that a `set` applies to every later query of the run.
  if (!url) return { h: await createDb({ dataDir: 'memory://' }), drop: async () => {}, reused: false };
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const exists = (await admin.query('select 1 from pg_database where datname = $1', [SCRATCH])).rowCount === 1;
  if (exists && !KEEP) await admin.query(`drop database ${SCRATCH} with (force)`);
  if (!exists || !KEEP) await admin.query(`create database ${SCRATCH}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${SCRATCH}`;
  const h = await createDb({ databaseUrl: target.toString(), poolSize: 1 });
  const drop = async () => {
    if (KEEP) return;
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`drop database if exists ${SCRATCH} with (force)`);
    await c.end();
  };
  return { h, drop, reused: exists && KEEP };
}

/** N posts over three years in 20 accounts, 70 % Arabic (a tenth of their words English, and the reverse), made in SQL. */
async function load(h: DbHandle) {
  const t0 = performance.now();
  await sql`insert into entity (slug, name_ar, name_en) values ('bench', 'جهة القياس', 'Bench Entity')`.execute(h.db);
  await sql`insert into account (entity_id, platform, connector, handle, type)
    select e.id, 'x', 'file', 'bench_' || g, 'official' from entity e, generate_series(1, 20) g`.execute(h.db);
  const batch = 100_000;
  for (let start = 1; start <= N; start += batch) {
    const end = Math.min(N, start + batch - 1);
    await sql`
      insert into post (account_id, entity_id, platform_post_id, text, lang, posted_at, local_day, raw)
      select a.id, a.entity_id, 'p' || g, t.text, l.lang, d.at, d.at::date, '{}'::jsonb
      from generate_series(${start}::int, ${end}::int) g
      cross join lateral (select timestamptz '2023-06-01 00:00:00+00' + g * interval '90 seconds' as at) d
      cross join lateral (select case when g % 10 < 7 then 'ar' else 'en' end as lang) l
      cross join lateral (
        select
          (select string_agg(case when (random() < 0.9) = (l.lang = 'ar') then (${AR}::text[])[1 + floor(random() * ${AR.length})::int]
                                  else (${EN}::text[])[1 + floor(random() * ${EN.length})::int] end, ' ' order by w)
             from generate_series(1, 6 + (g % 20)) w)
          || case when random() < 0.005 then ' تطعيم' else '' end
          || case when random() < 0.005 then ' vaccine' else '' end
          || case when random() < 0.00005 then ' زلزال' else '' end
          || case when random() < 0.00005 then ' earthquake' else '' end as text
      ) t
      join account a on a.handle = 'bench_' || (1 + g % 20)`.execute(h.db);
    process.stdout.write(`\r  loaded ${end.toLocaleString('en')} posts`);
  }
  await sql`analyze`.execute(h.db);
  process.stdout.write('\n');
  return (performance.now() - t0) / 1000;
}

async function time(rounds: number, run: () => Promise<unknown>) {
  await run(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await run();
    samples.push(performance.now() - t0);
  }
  return stats(samples);
}

// The query before migration 0007: every post folded on every search.
const oldQuery = (h: DbHandle, q: string) =>
  sql`select p.id, p.text, p.posted_at, a.handle, e.name_en, s.verdict
      from post p join account a on a.id = p.account_id join entity e on e.id = p.entity_id left join post_score s on s.post_id = p.id
      where mizan_fold(p.text) like '%' || mizan_fold(${q.replace(/[\\%_]/g, (c) => `\\${c}`)}) || '%'
      order by p.posted_at desc, p.id desc limit 26`.execute(h.db);

async function main() {
  const { h, drop, reused } = await open();
  try {
    const version = (await sql<{ v: string }>`select version() as v`.execute(h.db)).rows[0].v;
    console.log(`Mizan search benchmark: ${h.kind}, ${N.toLocaleString('en')} posts, ${os.cpus().length} cores, Node ${process.version}\n  ${version}`);
    await migrateToLatest(h.db);
    if (reused && (await sql<{ n: number }>`select count(*)::int as n from post`.execute(h.db)).rows[0].n === N) console.log('  reusing the posts of a kept scratch database');
    else console.log(`  generated in ${(await load(h)).toFixed(1)} s`);
    const size = (await sql<{ t: string; i: string }>`select pg_size_pretty(pg_table_size('post')) as t, pg_size_pretty(pg_relation_size('post_text_folded_trgm_idx')) as i`.execute(h.db)).rows[0];
    console.log(`  post table ${size.t}, trigram index ${size.i}\n`);
    console.log(`${'query'.padEnd(28)} ${'matches'.padStart(8)}   ${'indexed: median'.padStart(15)} ${'p95'.padStart(9)}   ${'no index: median'.padStart(16)} ${'p95'.padStart(9)}   ${'before 0007: median'.padStart(19)} ${'p95'.padStart(9)}`);
    for (const [name, q] of QUERIES) {
      const matches = (await sql<{ n: number }>`select count(*)::int as n from post where text_folded like '%' || mizan_fold(${q}) || '%'`.execute(h.db)).rows[0].n;
      const run = () => listPosts(h.db, 'all', { q, limit: 25 }, { searchTimeoutMs: 600_000 });
      const indexed = await time(ROUNDS, run);
      await sql`set enable_bitmapscan = off`.execute(h.db);
      const noIndex = await time(BASELINE_ROUNDS, run);
      await sql`reset enable_bitmapscan`.execute(h.db);
      const before = await time(BASELINE_ROUNDS, () => oldQuery(h, q));
      console.log(`${name.padEnd(28)} ${String(matches).padStart(8)}   ${fmt(indexed.median).padStart(15)} ${fmt(indexed.p95)}   ${fmt(noIndex.median).padStart(16)} ${fmt(noIndex.p95)}   ${fmt(before.median).padStart(19)} ${fmt(before.p95)}`);
    }
    console.log(`\n${ROUNDS} timed runs per query (indexed), ${BASELINE_ROUNDS} per baseline, each after one warm-up; limit 25, no other filter.`);
  } finally {
    await h.close();
    await drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
