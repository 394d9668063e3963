// npm run report -- --month YYYY-MM [--entity SLUG ...] [--format pdf,xlsx,csv] [--lang ar,en] [--out DIR]
// Generates and archives the month's reports. On the embedded database it needs the server stopped (the data
// directory's lock says so); on PostgreSQL it runs beside the server.
import { parseArgs } from 'node:util';
import { createDb } from '../db/client.ts';
import { migrateToLatest } from '../db/migrate.ts';
import type { ReportFormat, ReportLang } from '../db/queries/reports.ts';
import { loadConfig } from './config.ts';
import { bar, statusLine } from './progress.ts';
import { generateMonthlyReports, REPORT_FORMATS, REPORT_LANGS, reportSettings, type ReportProgress } from './reports/generate.ts';

const USAGE = `Usage: npm run report -- --month YYYY-MM [--entity SLUG ...] [--format pdf,xlsx,csv] [--lang ar,en] [--out DIR]
  --month YYYY-MM   the month to report on (required)
  --entity SLUG     only this entity (repeatable); without it: the sector report and every entity's
  --sector          the sector report too when --entity is given
  --format LIST     pdf, xlsx, csv (default all three)
  --lang LIST       ar, en (default both)
  --digits latn|arab  digits of the Arabic reports (default MIZAN_REPORT_DIGITS, latn)
  --out DIR         also write the files into DIR (archived ones included)
Reports are archived in the database with their checksum; an unchanged report is not stored twice.`;

function list<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((v) => v.trim()).filter(Boolean);
  const bad = items.filter((v) => !allowed.includes(v as T));
  if (bad.length || !items.length) throw new Error(`${flag} takes a comma-separated list of ${allowed.join(', ')} (got "${value}")`);
  return items as T[];
}

/** A progress bar on standard error: rewritten in place on a terminal, a line per report otherwise. */
function progressBar(): ReportProgress {
  const out = statusLine();
  return (done, total, label) => out.show(`${bar(done / Math.max(total, 1), 30, '-')} ${done}/${total} ${label}`, done === total);
}

async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      month: { type: 'string' },
      entity: { type: 'string', multiple: true },
      sector: { type: 'boolean' },
      format: { type: 'string' },
      lang: { type: 'string' },
      digits: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.month) throw new Error(`--month is required\n${USAGE}`);
  const formats = list<ReportFormat>(values.format, REPORT_FORMATS, '--format');
  const langs = list<ReportLang>(values.lang, REPORT_LANGS, '--lang');
  const digits = values.digits === undefined ? undefined : list(values.digits, ['latn', 'arab'] as const, '--digits')![0];
  const config = loadConfig();
  const handle = await createDb({ databaseUrl: config.DATABASE_URL, dataDir: config.MIZAN_DATA_DIR });
  try {
    await migrateToLatest(handle.db);
    const started = performance.now();
    const settings = { ...reportSettings(config), ...(digits ? { digits } : {}) };
    const r = await generateMonthlyReports(
      handle.db,
      settings,
      { month: values.month, entities: values.entity, sector: values.sector || undefined, formats, langs, trigger: 'cli', now: new Date(), outDir: values.out },
      progressBar(),
    );
    for (const e of r.errors) console.error(`error: ${e}`);
    for (const i of r.items) if (i.file) console.log(i.file);
    console.log(JSON.stringify({ ...r.counts, seconds: Math.round((performance.now() - started) / 100) / 10 }));
    if (r.counts.failed) process.exitCode = 1;
  } finally {
    await handle.close();
  }
}

main().catch((err) => {
  console.error(`mizan report: ${(err as Error).message}`);
  process.exit(1);
});
