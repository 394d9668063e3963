// Imports new posts of every active account, page by page; each page and its cursor commit together,
// so a crash loses nothing and a rerun duplicates nothing.
import { listImportAccounts, recordAccountRun, type ImportAccount } from '../db/queries/accounts.ts';
import { savePostsPage } from '../db/queries/imports.ts';
import type { JobDeps } from './deps.ts';

export interface ImportCounts {
  accounts: number;
  failedAccounts: number;
  pages: number;
  inserted: number;
  edited: number;
  deleted: number;
  unchanged: number;
  warnings: number;
}

export interface ImportOptions {
  now: Date;
  accountIds?: number[];
  /** Safety valve so one endless feed cannot hold the job forever. */
  maxPagesPerAccount?: number;
  fetchTimeoutMs?: number;
}

export interface ImportResult {
  counts: ImportCounts;
  warnings: string[];
  errors: { accountId: number; handle: string; error: string }[];
}

export async function runImport(deps: JobDeps, opts: ImportOptions): Promise<ImportResult> {
  return importAccounts(deps, await listImportAccounts(deps.db, { accountIds: opts.accountIds }), opts);
}

export async function importAccounts(deps: JobDeps, accounts: ImportAccount[], opts: ImportOptions): Promise<ImportResult> {
  const result: ImportResult = {
    counts: { accounts: accounts.length, failedAccounts: 0, pages: 0, inserted: 0, edited: 0, deleted: 0, unchanged: 0, warnings: 0 },
    warnings: [],
    errors: [],
  };
  for (const account of accounts) {
    if (deps.signal?.aborted) break;
    try {
      await importAccount(deps, account, opts, result);
      await recordAccountRun(deps.db, account.id, opts.now, null);
    } catch (err) {
      const message = (err as Error).message || String(err);
      result.counts.failedAccounts++;
      result.errors.push({ accountId: account.id, handle: account.handle, error: message });
      deps.log(`import ${account.platform}/${account.handle} failed: ${message}`);
      await recordAccountRun(deps.db, account.id, opts.now, message);
    }
  }
  return result;
}

async function importAccount(deps: JobDeps, account: ImportAccount, opts: ImportOptions, result: ImportResult): Promise<void> {
  const connector = deps.connectors[account.connector];
  if (!connector) throw new Error(`no connector named "${account.connector}" is registered`);
  let cursor = account.cursor;
  const maxPages = opts.maxPagesPerAccount ?? 1000;
  for (let page = 0; page < maxPages; page++) {
    if (deps.signal?.aborted) return;
    const fetched = await connector.fetchPage(
      { id: account.id, entityId: account.entityId, platform: account.platform, handle: account.handle, platformAccountId: account.platformAccountId, type: account.type, config: account.config },
      { cursor, now: opts.now, signal: AbortSignal.timeout(opts.fetchTimeoutMs ?? 60_000) },
    );
    const saved = await savePostsPage(deps.db, account, fetched.posts, cursor, fetched.nextCursor, opts.now);
    result.counts.pages++;
    result.counts.inserted += saved.inserted;
    result.counts.edited += saved.edited;
    result.counts.deleted += saved.deleted;
    result.counts.unchanged += saved.unchanged;
    // Records the connector could not read, then those the store refused: each skipped, the page saved.
    for (const w of [...(fetched.warnings ?? []), ...saved.warnings]) {
      result.counts.warnings++;
      if (result.warnings.length < 200) result.warnings.push(`${account.handle}: ${w}`);
    }
    cursor = fetched.nextCursor;
    if (fetched.done) return;
  }
}
