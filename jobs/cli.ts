// Command line for operators: migrate, seed the demo, import (all accounts or a file), score, roll up.
import { parseArgs } from 'node:util';
import { createDb } from '../db/client.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { upsertAccount } from '../db/queries/accounts.ts';
import { upsertEntity } from '../db/queries/entities.ts';
import { loadConfig } from './config.ts';
import { connectors } from './connectors/registry.ts';
import { checkImportFile } from './connectors/file.ts';
import type { JobDeps } from './deps.ts';
import { runImportPipeline } from './pipeline.ts';
import { runRollup } from './rollup.ts';
import { publishRulebook, restoreDefaultRulebook } from './rulebook-store.ts';
import { runScoring } from './score.ts';
import { loadRulebook, readRulebookSources } from './scoring/engine.ts';
import { checkRulebookDraft, closeTrialWorkers } from './scoring/trial.ts';
import { seedDemo } from './seed-demo.ts';

const USAGE = `Usage: npm run cli -- <command> [options]
  migrate                      apply database migrations
  seed-demo                    register the demo entities and accounts
  import [--account ID ...]    import, score and roll up (all active accounts by default)
  import-file --file PATH --entity SLUG --handle HANDLE [--platform P] [--type official|executive|employee] [--name-ar N --name-en N]
              [--format auto|jsonl|csv|x-archive|telegram|twarc|mastodon-json|meta-json|meta-export]
                               register a file-drop account and import it; without --format the format is
                               detected from the content (a file of no known format is refused, nothing registered)
  publish-rulebook --dir DIR [--note TEXT]
                               validate and publish the rulebook files of DIR (then run \`score\` to rescore)
  restore-default-rulebook     put the shipped default rulebook back in force and rescore
  score                        score posts that need it with the rulebook in force
  rollup                       recompute every daily rollup`;

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === '--help' || command === 'help') {
    console.log(USAGE);
    return;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      account: { type: 'string', multiple: true },
      file: { type: 'string' },
      format: { type: 'string' },
      entity: { type: 'string' },
      handle: { type: 'string' },
      platform: { type: 'string', default: 'file' },
      type: { type: 'string', default: 'official' },
      'name-ar': { type: 'string' },
      'name-en': { type: 'string' },
      dir: { type: 'string' },
      note: { type: 'string' },
    },
    strict: true,
  });
  const config = loadConfig();
  const handle = await createDb({ databaseUrl: config.DATABASE_URL, dataDir: config.MIZAN_DATA_DIR });
  try {
    await migrateToLatest(handle.db);
    const deps: JobDeps = { db: handle.db, rulebook: loadRulebook(), connectors, log: (m) => console.error(m) };
    const now = new Date();
    switch (command) {
      case 'migrate':
        console.log('migrations applied');
        break;
      case 'seed-demo':
        console.log(await seedDemo(handle.db));
        break;
      case 'import': {
        const ids = values.account?.map(Number);
        if (ids?.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--account takes numeric account ids');
        report(await runImportPipeline(deps, { now, accountIds: ids }));
        break;
      }
      case 'import-file': {
        if (!values.file || !values.entity || !values.handle) throw new Error('import-file needs --file, --entity and --handle');
        if (!['official', 'executive', 'employee'].includes(values.type!)) throw new Error('--type must be official, executive or employee');
        // Read and check the file before anything is registered: a file of no known format leaves no account behind.
        const checked = await checkImportFile(values.file, values.format);
        console.log(
          `${checked.path}: format ${checked.format} (${checked.detected ? `detected: ${checked.reason}` : 'given with --format'}); ${checked.records} records: ${checked.posts} posts, ${checked.rejected} refused`,
        );
        for (const r of checked.firstRejected) console.error(`refused: ${r.ref}: ${r.reason}`);
        const existing = await handle.db
          .selectFrom('account as a')
          .innerJoin('entity as e', 'e.id', 'a.entity_id')
          .select(['a.id', 'e.slug'])
          .where('a.platform', '=', values.platform!)
          .where('a.handle', '=', values.handle)
          .executeTakeFirst();
        if (existing && existing.slug !== values.entity)
          throw new Error(`account ${values.platform}/${values.handle} belongs to entity "${existing.slug}", not "${values.entity}": use that entity or another --handle`);
        const entityId = await upsertEntity(handle.db, { slug: values.entity, nameAr: values['name-ar'] ?? values.entity, nameEn: values['name-en'] ?? values.entity, timezone: config.MIZAN_TIMEZONE });
        const accountId = await upsertAccount(handle.db, {
          entityId,
          platform: values.platform!,
          connector: 'file',
          handle: values.handle,
          type: values.type as 'official',
          config: { path: checked.path, format: checked.format },
        });
        // A file given by hand is read from its first line: posts already imported are recognised by id.
        await handle.db.updateTable('account').set({ import_cursor: null }).where('id', '=', accountId).execute();
        report(await runImportPipeline(deps, { now, accountIds: [accountId] }));
        break;
      }
      case 'publish-rulebook': {
        if (!values.dir) throw new Error('publish-rulebook needs --dir');
        // The same checks as the API: bounded parse, patterns proven linear, adversarial probe (in a worker).
        const draft = await checkRulebookDraft(readRulebookSources(values.dir), 60_000);
        const rb = await publishRulebook(handle.db, draft, values.note ?? null);
        console.log(`published ${rb.version} (${rb.rules.length} rules), replacing ${rb.replaced ?? 'nothing'}; run \`npm run cli -- score\` (or wait for the next import) to rescore`);
        break;
      }
      case 'restore-default-rulebook': {
        const r = await restoreDefaultRulebook(handle.db, deps.rulebook);
        console.log(r.replaced ? `restored the default rulebook ${r.version} (it replaced ${r.replaced}); rescoring…` : `the default rulebook ${r.version} is already in force`);
        if (r.replaced) console.log((await runScoring(deps, { now })).counts);
        break;
      }
      case 'score':
        console.log((await runScoring(deps, { now })).counts);
        break;
      case 'rollup':
        console.log(await runRollup(handle.db, { days: 'all' }));
        break;
      default:
        throw new Error(`unknown command "${command}"\n${USAGE}`);
    }
  } finally {
    await closeTrialWorkers();
    await handle.close();
  }
}

function report(r: Awaited<ReturnType<typeof runImportPipeline>>) {
  console.log(JSON.stringify(r.counts));
  for (const w of r.warnings) console.error(`warning: ${w}`);
  for (const e of r.errors) console.error(`error: ${e.handle}: ${e.error}`);
  if (r.errors.length) process.exitCode = 1;
}

main().catch((err) => {
  console.error(`mizan: ${(err as Error).message}`);
  process.exit(1);
});
