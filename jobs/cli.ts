// Command line for operators: migrate, seed the demo, import (all accounts or a file), score, roll up.
import { parseArgs } from 'node:util';
import { createDb } from '../db/client.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { upsertAccount } from '../db/queries/accounts.ts';
import { upsertEntity } from '../db/queries/entities.ts';
import { loadConfig } from './config.ts';
import { connectorsFor } from './connectors/registry.ts';
import { checkImportFile } from './connectors/file.ts';
import { importLanesFor, type JobDeps } from './deps.ts';
import type { ImportProgress } from './import.ts';
import { runImportPipeline } from './pipeline.ts';
import { statusLine } from './progress.ts';
import { remapPosts } from './remap.ts';
import { retireDashboard, runRollup } from './rollup.ts';
import { publishRulebook, restoreDefaultRulebook } from './rulebook-store.ts';
import { runScoring } from './score.ts';
import { scoreProgressBar } from './score-progress.ts';
import { closeScoreWorkers } from './score-pool.ts';
import { loadRulebook, readRulebookSources } from './scoring/engine.ts';
import { checkRulebookDraft, closeTrialWorkers } from './scoring/trial.ts';
import { seedDemo } from './seed-demo.ts';
import { appendAudit } from '../db/queries/audit.ts';
import { userCommand, USER_USAGE } from './user-cli.ts';
import { AccountRegistrationError, accountInputSchema, listAccountActivity, registerAccount, type ValidAccountInput } from '../db/queries/accounts.ts';
import { formatArchiveReport, verifyArchive } from './archive.ts';
import { clearAccountToken, requireSecretKey, storeAccountToken } from './secrets.ts';

const USAGE = `Usage: npm run cli -- <command> [options]
  migrate                      apply database migrations
  seed-demo                    register the demo entities and accounts
  import [--account ID ...]    import, score and roll up (all active accounts by default)
  import-file --file PATH --entity SLUG --handle HANDLE [--platform P] [--type official|executive|employee] [--name-ar N --name-en N]
              [--format auto|jsonl|csv|x-archive|telegram|twarc|mastodon-json|meta-json|meta-export]
                               register a file-drop account and import it; without --format the format is
                               detected from the content (a file of no known format is refused, nothing registered)
  publish-rulebook --dir DIR [--note TEXT] [--no-score]
                               validate and publish the rulebook files of DIR, then rescore every post with it
                               (--no-score: leave the rescoring to \`score\` or the next scheduled run)
  restore-default-rulebook     put the shipped default rulebook back in force and rescore
  score                        score posts that need it with the rulebook in force
  rollup                       recompute every daily rollup
  remap [--account ID ...]     re-derive stored posts from their raw payloads (after a mapping fix), then rescore
  account add --entity SLUG --platform x|facebook|instagram|youtube|mastodon|bluesky|rss --handle H [--url URL]
              [--type official|executive|employee] [--name NAME]
                               register an account (mastodon: --url is the instance; rss: --url is the feed;
                               facebook/instagram: the page / Instagram user id; youtube: the channel id);
                               prints {"id": N, ...} as its last line
  account set-token --account ID [--clear]
                               store the account's token, read from standard input, encrypted with MIZAN_SECRET_KEY
  verify-archive [--account ID]
                               recompute the hash chains of captured versions; names the first broken link (exit 1)
${USER_USAGE}`;

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === '--help' || command === 'help') {
    console.log(USAGE);
    return;
  }
  if (command === 'account' || command === 'verify-archive') return adminCommand(command, rest);
  if (command === 'user') return userCommand(rest);
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
      'no-score': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const config = loadConfig();
  const handle = await createDb({ databaseUrl: config.DATABASE_URL, dataDir: config.MIZAN_DATA_DIR });
  try {
    await migrateToLatest(handle.db);
    const deps: JobDeps = { db: handle.db, rulebook: loadRulebook(), connectors: connectorsFor(config), secretKey: config.MIZAN_SECRET_KEY, log: (m) => console.error(m), importLanes: importLanesFor(handle.kind) };
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
        report(await runImportPipeline(deps, { now, accountIds: ids, onProgress: progressLine() }), { failOnError: false });
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
        await appendAudit(handle.db, { actorEmail: 'cli', action: 'rulebook.published', objectType: 'rulebook_version', objectId: rb.version, before: { version: rb.replaced }, after: { version: rb.version, rules: rb.rules.length, dir: values.dir, note: values.note ?? null } });
        if (values['no-score']) {
          console.log(`published ${rb.version} (${rb.rules.length} rules), replacing ${rb.replaced ?? 'nothing'}; run \`npm run cli -- score\` (or wait for the next import) to rescore`);
          break;
        }
        console.log(`published ${rb.version} (${rb.rules.length} rules), replacing ${rb.replaced ?? 'nothing'}; rescoring…`);
        console.log((await runScoring(deps, { now, onProgress: scoreProgressBar() })).counts);
        break;
      }
      case 'restore-default-rulebook': {
        const r = await restoreDefaultRulebook(handle.db, deps.rulebook);
        if (r.replaced) await appendAudit(handle.db, { actorEmail: 'cli', action: 'rulebook.restored-default', objectType: 'rulebook_version', objectId: r.version, before: { version: r.replaced }, after: { version: r.version } });
        console.log(r.replaced ? `restored the default rulebook ${r.version} (it replaced ${r.replaced}); rescoring…` : `the default rulebook ${r.version} is already in force`);
        if (r.replaced) console.log((await runScoring(deps, { now, onProgress: scoreProgressBar() })).counts);
        break;
      }
      case 'score':
        console.log((await runScoring(deps, { now, onProgress: scoreProgressBar() })).counts);
        break;
      case 'rollup':
        console.log(await runRollup(handle.db, { days: 'all' }));
        break;
      case 'remap': {
        const ids = values.account?.map(Number);
        if (ids?.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--account takes numeric account ids');
        const r = await remapPosts(handle.db, { accountIds: ids, now });
        for (const f of r.failed) console.error(`post ${f.postId}: ${f.reason}`);
        for (const a of r.skippedAccounts) console.error(`skipped ${a}: its connector keeps no payload to re-derive from`);
        console.log(JSON.stringify({ accounts: r.accounts, posts: r.posts, changed: r.changed, unchanged: r.unchanged, failed: r.failed.length }));
        if (r.changed) console.log((await runScoring(deps, { now, onProgress: scoreProgressBar() })).counts);
        break;
      }
      default:
        throw new Error(`unknown command "${command}"\n${USAGE}`);
    }
  } finally {
    await closeTrialWorkers();
    await closeScoreWorkers();
    // A running server's cached dashboard answers are retired after what this command changed.
    await retireDashboard(handle.db, { now: true }).catch(() => {});
    await handle.close();
  }
}

/** Import progress on standard error: one line rewritten in place on a terminal, a line per page otherwise. */
function progressLine() {
  const out = statusLine();
  return (p: ImportProgress) =>
    out.show(`import ${p.platform}/${p.handle}: ${p.stored.toLocaleString('en')} post(s) in ${p.pages} page(s)${p.rejected ? `, ${p.rejected} rejected` : ''}${p.done ? ', done' : '…'}`, p.done);
}

/** Prints the run; `import` exits 0 once the run completed (each account's failure is recorded and printed), a single file's import exits 1 when it failed. */
function report(r: Awaited<ReturnType<typeof runImportPipeline>>, opts: { failOnError: boolean } = { failOnError: true }) {
  console.log(JSON.stringify(r.counts));
  for (const w of r.warnings) console.error(`warning: ${w}`);
  for (const e of r.errors) console.error(`error: ${e.handle}: ${e.error}`);
  if (opts.failOnError && r.errors.length) process.exitCode = 1;
}

// ---------------------------------------------------------------------------------------------------------
// account add / account set-token / verify-archive: each opens the database itself and parses its own options.

async function adminCommand(command: string, rest: string[]): Promise<void> {
  const first = command === 'account' ? rest[0] : undefined;
  if (command === 'account' && first !== 'add' && first !== 'set-token')
    throw new Error(`account needs a subcommand: add or set-token (got ${first === undefined ? 'none' : JSON.stringify(first)})\n${USAGE}`);
  const sub = first as 'add' | 'set-token' | undefined;
  const args = command === 'account' ? rest.slice(1) : rest;
  const options = {
    add: {
      entity: { type: 'string' },
      platform: { type: 'string' },
      handle: { type: 'string' },
      url: { type: 'string' },
      type: { type: 'string' },
      name: { type: 'string' },
    },
    'set-token': { account: { type: 'string' }, clear: { type: 'boolean' } },
    verify: { account: { type: 'string' } },
  } as const;
  const { values } = parseArgs({ args, options: options[sub ?? 'verify'], strict: true, allowPositionals: false });
  const v = values as Record<string, string | boolean | undefined>;
  const accountOption = () => {
    const raw = v.account as string | undefined;
    if (raw === undefined) return undefined;
    if (!/^\d{1,9}$/.test(raw) || Number(raw) === 0) throw new Error(`--account takes an account id (a positive whole number), not ${JSON.stringify(raw)}`);
    return Number(raw);
  };
  const config = loadConfig();
  // Checked before anything is read or opened: a token is never read without a key to store it.
  let tokenKey: Buffer | undefined;
  if (sub === 'set-token') {
    if (accountOption() === undefined) throw new Error('account set-token needs --account ID (the token is read from standard input)');
    if (!v.clear) tokenKey = requireSecretKey(config.MIZAN_SECRET_KEY);
  }
  let input: ValidAccountInput | undefined;
  if (sub === 'add') {
    for (const k of ['entity', 'platform', 'handle'] as const) if (!v[k]) throw new Error(`account add needs --${k} (${USAGE_ACCOUNT_ADD})`);
    const parsed = accountInputSchema.safeParse({ entity: v.entity, platform: v.platform, handle: v.handle, url: v.url, type: v.type, displayName: v.name });
    if (!parsed.success) {
      const flag: Record<string, string> = { displayName: 'name' };
      throw new Error(`invalid account: ${parsed.error.issues.map((i) => `--${flag[String(i.path[0])] ?? String(i.path[0] ?? 'input')}: ${i.message}`).join('; ')}`);
    }
    input = parsed.data;
  }
  const token = tokenKey ? await readStdinToken() : undefined;
  const handle = await createDb({ databaseUrl: config.DATABASE_URL, dataDir: config.MIZAN_DATA_DIR });
  try {
    await migrateToLatest(handle.db);
    if (input) {
      let r: Awaited<ReturnType<typeof registerAccount>>;
      try {
        r = await registerAccount(handle.db, 'all', input, { ifExists: 'update' });
      } catch (err) {
        if (err instanceof AccountRegistrationError) throw new Error(`--${err.field}: ${err.message}`);
        throw err;
      }
      await appendAudit(handle.db, { actorEmail: 'cli', action: r.created ? 'account.created' : 'account.updated', objectType: 'account', objectId: r.id, after: { ...input, token: undefined } });
      if (!r.created) console.error(`account ${r.id} was already registered for this entity; its type, url and name were updated`);
      const [a] = await listAccountActivity(handle.db, 'all', { accountId: r.id, now: new Date() });
      const entity = await handle.db.selectFrom('entity').select('slug').where('id', '=', r.entityId).executeTakeFirstOrThrow();
      console.log(
        JSON.stringify({ id: r.id, created: r.created, entityId: r.entityId, entity: entity.slug, platform: a.platform, handle: a.handle, url: a.url, type: a.type, displayName: a.displayName, hasToken: a.hasToken }),
      );
    } else if (sub === 'set-token') {
      const id = accountOption()!;
      const found = v.clear ? await clearAccountToken(handle.db, id) : await storeAccountToken(handle.db, id, token!, tokenKey);
      if (!found) throw new Error(`account ${id} does not exist`);
      await appendAudit(handle.db, { actorEmail: 'cli', action: v.clear ? 'account.token-cleared' : 'account.token-set', objectType: 'account', objectId: id });
      console.error(v.clear ? `the token of account ${id} was removed` : `the token of account ${id} was encrypted and stored`);
      console.log(JSON.stringify({ id, hasToken: !v.clear }));
    } else {
      const report = await verifyArchive(handle.db, { accountId: accountOption() });
      for (const line of formatArchiveReport(report)) console.log(line);
      if (!report.ok) process.exitCode = 1;
    }
  } finally {
    await retireDashboard(handle.db, { now: true }).catch(() => {});
    await handle.close();
  }
}

const USAGE_ACCOUNT_ADD = 'npm run cli -- account add --entity SLUG --platform P --handle H [--url URL] [--type official|executive|employee] [--name NAME]';

/** The token from standard input: all of it when piped, one line at a terminal; surrounding whitespace dropped. */
async function readStdinToken(): Promise<string> {
  let text: string;
  if (process.stdin.isTTY) {
    const rl = (await import('node:readline/promises')).createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    try {
      text = await rl.question('Token (input is shown; paste it and press Enter): ');
    } finally {
      rl.close();
    }
  } else {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  }
  const token = text.trim();
  if (!token) throw new Error('no token on standard input: pipe it in, e.g. `printf %s "$TOKEN" | npm run cli -- account set-token --account ID`');
  return token;
}

main().catch((err) => {
  console.error(`mizan: ${(err as Error).message}`);
  process.exit(1);
});
