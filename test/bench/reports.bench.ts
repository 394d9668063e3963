// npm run bench:reports: a month's reports (the sector's and 100 entities'; PDF, XLSX and CSV; Arabic and English)
// on realistic volumes, with the total time and the peak memory of this process and of Chromium.
// The data is made in SQL (a year of posts, scores, findings), then rolled up as the jobs do; the report run is
// what is timed. BENCH_DB=postgres runs it on TEST_DATABASE_URL instead of the embedded PGlite.
// A smaller or narrower run: --entities 20, --formats pdf (or pdf,xlsx), --pages 3 (PDFs rendered at once); --out DIR
// also writes the files there.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { runRollup } from '../../jobs/rollup.ts';
import { generateMonthlyReports, reportSettings } from '../../jobs/reports/generate.ts';
import { testConfig } from '../../jobs/config.ts';
import type { ReportFormat } from '../../db/queries/reports.ts';
import { AR, BAD, EN } from './corpus.ts';
import { testDb } from '../helpers/db.ts';

const { values: args } = parseArgs({ options: { entities: { type: 'string' }, formats: { type: 'string' }, pages: { type: 'string' }, out: { type: 'string' } } });
const ENTITIES = Number(args.entities ?? process.env.BENCH_ENTITIES ?? 100);
const FORMATS = args.formats ? (args.formats.split(',') as ReportFormat[]) : undefined;
const PAGES = args.pages ? Number(args.pages) : undefined;
const ACCOUNTS_PER_ENTITY = 5;
/** Posts per entity per month: a busy ministry posts about 10 a day over its accounts. */
const POSTS_PER_MONTH = Number(process.env.BENCH_POSTS_PER_MONTH ?? 300);
const MONTH = '2026-10';
const FIRST_DAY = '2025-11-01';
const DAYS = 365;

function descendantsRssKb(): number {
  try {
    const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,rss='], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number));
    const children = new Map<number, number[]>();
    for (const [pid, ppid] of rows) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    const rss = new Map(rows.map(([pid, , r]) => [pid, r]));
    let total = 0;
    const stack = [...(children.get(process.pid) ?? [])];
    while (stack.length) {
      const pid = stack.pop()!;
      total += rss.get(pid) ?? 0;
      stack.push(...(children.get(pid) ?? []));
    }
    return total;
  } catch {
    return 0;
  }
}

async function main() {
  const kind = process.env.BENCH_DB === 'postgres' ? 'postgres' : 'pglite';
  const h = await testDb(kind);
  const t0 = performance.now();
  const total = ENTITIES * POSTS_PER_MONTH * 12;
  console.log(`seeding ${ENTITIES} entities, ${ENTITIES * ACCOUNTS_PER_ENTITY} accounts, ${total.toLocaleString('en')} posts over 12 months (${kind})…`);
  await sql`insert into rulebook_version (version, sources, rules, active) values ('bench-1', '{}', '[]', true)`.execute(h.db);
  await sql`insert into entity (slug, name_ar, name_en)
    select 'entity-' || g, 'الجهة الحكومية رقم ' || g, 'Government Entity ' || g from generate_series(1, ${ENTITIES}::int) g`.execute(h.db);
  await sql`insert into account (entity_id, platform, connector, handle, type)
    select e.id, (array['x','instagram','facebook','youtube','x'])[g], 'file', e.slug || '_' || g, case when g = 5 then 'executive' else 'official' end
    from entity e, generate_series(1, ${ACCOUNTS_PER_ENTITY}::int) g`.execute(h.db);
  const texts = [...AR, ...EN];
  const perEntity = POSTS_PER_MONTH * 12;
  const batch = 50_000;
  for (let start = 0; start < total; start += batch) {
    const end = Math.min(total, start + batch) - 1;
    await sql`
      insert into post (account_id, entity_id, platform_post_id, text, lang, posted_at, local_day, raw)
      select a.id, a.entity_id, 'p' || g, t.text, case when g % 10 < 7 then 'ar' else 'en' end, d.at, (d.at at time zone 'Asia/Bahrain')::date, '{}'::jsonb
      from generate_series(${start}::int, ${end}::int) g
      cross join lateral (select timestamptz '${sql.raw(FIRST_DAY)} 00:00:00+03' + ((g / ${ENTITIES}::int)::float8 / ${perEntity}::int * ${DAYS}::int) * interval '1 day' + (g % 97) * interval '1 minute' as at) d
      cross join lateral (select case when g % 13 = 0 then (${BAD}::text[])[1 + g % ${BAD.length}::int] else (${texts}::text[])[1 + g % ${texts.length}::int] end as text) t
      join account a on a.handle = 'entity-' || (1 + g % ${ENTITIES}::int) || '_' || (1 + (g / ${ENTITIES}::int) % ${ACCOUNTS_PER_ENTITY}::int)`.execute(h.db);
    process.stdout.write(`\r  ${(end + 1).toLocaleString('en')} posts`);
  }
  process.stdout.write('\n');
  // Scores: about 8 % flagged (a violation or for review), each flagged post with one or two findings.
  await sql`insert into post_score (post_id, rulebook_version, score, verdict, categories, max_severity, findings)
    select p.id, 'bench-1',
      case when p.id % 13 = 0 then 40 + p.id % 30 when p.id % 29 = 0 then 75 else 100 end,
      case when p.id % 13 = 0 then 'violation' when p.id % 29 = 0 then 'review' else 'clean' end,
      case when p.id % 13 = 0 or p.id % 29 = 0 then array[(array['confidentiality','personal_data','abuse','reputation','infosec'])[1 + p.id % 5]] else '{}' end,
      case when p.id % 13 = 0 then (array['critical','high','medium'])[1 + p.id % 3] when p.id % 29 = 0 then 'low' else null end,
      case when p.id % 13 = 0 then 1 + p.id % 2 when p.id % 29 = 0 then 1 else 0 end
    from post p`.execute(h.db);
  await sql`insert into finding (post_id, rule_id, category, severity, rulebook_version, match, start_offset, end_offset, status)
    select s.post_id, s.categories[1] || '.rule', s.categories[1], s.max_severity, 'bench-1', substr(p.text, 1, 12), 0, least(12, length(p.text)),
      (array['open','open','confirmed','dismissed'])[1 + s.post_id % 4]
    from post_score s join post p on p.id = s.post_id, generate_series(1, s.findings) n
    where s.findings > 0`.execute(h.db);
  await runRollup(h.db, { days: 'all' });
  await sql`analyze`.execute(h.db);
  const seeded = (performance.now() - t0) / 1000;
  console.log(`seeded in ${seeded.toFixed(1)} s`);

  let peakNode = 0;
  let peakChromium = 0;
  const sample = () => {
    peakNode = Math.max(peakNode, process.memoryUsage().rss);
    peakChromium = Math.max(peakChromium, descendantsRssKb() * 1024);
  };
  const timer = setInterval(sample, 500);
  const t1 = performance.now();
  const config = testConfig();
  let last = 0;
  const settings = { ...reportSettings(config), ...(PAGES ? { pdfPages: PAGES } : {}) };
  const r = await generateMonthlyReports(h.db, settings, { month: MONTH, formats: FORMATS, outDir: args.out, trigger: 'cli', now: new Date('2026-11-01T03:00:00Z') }, (done, all) => {
    if (done - last >= 50 || done === all) {
      last = done;
      process.stdout.write(`\r  ${done}/${all} reports`);
    }
  });
  const seconds = (performance.now() - t1) / 1000;
  clearInterval(timer);
  sample();
  process.stdout.write('\n');
  const mb = (b: number) => `${Math.round(b / 1024 / 1024)} MB`;
  const sizes = await sql<{ format: string; n: number; bytes: number }>`select format, count(*)::int as n, sum(size)::int8 as bytes from report group by 1 order by 1`.execute(h.db);
  console.log(`reports: ${JSON.stringify(r.counts)}${r.errors.length ? ` errors: ${r.errors.join('; ')}` : ''}`);
  for (const s of sizes.rows) console.log(`  ${s.format}: ${s.n} files, ${mb(Number(s.bytes))}`);
  console.log(`total time: ${seconds.toFixed(1)} s for ${r.items.length} reports (${ENTITIES} entities + the sector, ${(FORMATS ?? ['pdf', 'xlsx', 'csv']).join('/').toUpperCase()}, ar/en)`);
  console.log(`peak memory: node ${mb(peakNode)} RSS, chromium ${mb(peakChromium)} RSS (all its processes)`);
  console.log(`target < 60 s: ${seconds < 60 ? 'met' : 'NOT met'}`);
  await h.close();
  if (r.counts.failed) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
