// Imports new posts of every active account, page by page; each page and its cursor commit together,
// so a crash loses nothing and a rerun duplicates nothing.
import { listImportAccounts, type ImportAccount } from '../db/queries/accounts.ts';
import { extendAccountLease, LEASE_SECONDS, leaseNextAccount, listLeaseOwners, releaseAccountLease, releaseLeasesOf, type LeaseFilter } from '../db/queries/account-leases.ts';
import { emptyTally, finishImportRun, startImportRun, tallyRejected, type ImportRunTally, type RateLimitPause } from '../db/queries/import-runs.ts';
import { savePostsPage, type ChainHint } from '../db/queries/imports.ts';
import { RateLimitedError } from './connectors/http.ts';
import type { ConnectorAccount } from './connectors/types.ts';
import { isDeadLocalProcess, type JobDeps } from './deps.ts';
import { readAccountToken } from './secrets.ts';

export interface ImportCounts {
  accounts: number;
  failedAccounts: number;
  pages: number;
  inserted: number;
  edited: number;
  deleted: number;
  unchanged: number;
  /** Source records that could not be mapped or stored: skipped, and recorded on the account's run. */
  rejected: number;
  warnings: number;
}

export interface ImportOptions {
  now: Date;
  accountIds?: number[];
  /** Safety valve so one endless feed cannot hold the job forever. */
  maxPagesPerAccount?: number;
  /** One page's limit, waits for a rate-limit reset (at most 60 s) and retries included; default 180 s. */
  fetchTimeoutMs?: number;
  /** Called after each saved page (the CLI's progress line). */
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportProgress {
  platform: string;
  handle: string;
  pages: number;
  /** Posts stored so far in this account's run (new, edited, deleted and unchanged). */
  stored: number;
  rejected: number;
  done: boolean;
}

export interface ImportResult {
  counts: ImportCounts;
  warnings: string[];
  /** Accounts that failed, or stopped on an error after storing some posts. */
  errors: { accountId: number; handle: string; error: string }[];
}

export async function runImport(deps: JobDeps, opts: ImportOptions): Promise<ImportResult> {
  return importAccounts(deps, await listImportAccounts(deps.db, { accountIds: opts.accountIds }), opts);
}

const emptyResult = (accounts: number): ImportResult => ({
  counts: { accounts, failedAccounts: 0, pages: 0, inserted: 0, edited: 0, deleted: 0, unchanged: 0, rejected: 0, warnings: 0 },
  warnings: [],
  errors: [],
});

/** Imports the given accounts in turn (tests and tools; a scheduled or CLI import goes through importNextLeased). */
export async function importAccounts(deps: JobDeps, accounts: ImportAccount[], opts: ImportOptions): Promise<ImportResult> {
  const result = emptyResult(accounts.length);
  for (const account of accounts) {
    if (deps.signal?.aborted) break;
    await importOne(deps, account, opts, result, null);
  }
  return result;
}

/**
 * Takes the next account of the round that no other worker holds, imports it under a lease and adds its
 * outcome to `result`; false when the round has no account left for this worker.
 */
export async function importNextLeased(deps: JobDeps, owner: string, filter: LeaseFilter, opts: ImportOptions, result: ImportResult): Promise<boolean> {
  const id = await leaseNextAccount(deps.db, owner, filter);
  if (id === null) return false;
  // The lease is extended while the import runs, also through a long wait on a slow platform.
  const keep = setInterval(() => void extendAccountLease(deps.db, id, owner).catch(() => {}), (LEASE_SECONDS * 1000) / 4);
  keep.unref();
  try {
    const [account] = await listImportAccounts(deps.db, { accountIds: [id] });
    if (account) {
      result.counts.accounts++;
      await importOne(deps, account, opts, result, owner);
    }
  } finally {
    clearInterval(keep);
    await releaseAccountLease(deps.db, id, owner);
  }
  return true;
}

async function importOne(deps: JobDeps, account: ImportAccount, opts: ImportOptions, result: ImportResult, owner: string | null): Promise<void> {
  const run = await startImportRun(deps.db, account.id, new Date(), owner);
  const tally = emptyTally();
  let error: string | null = null;
  let pause: RateLimitPause | null = null;
  try {
    await importAccount(deps, account, opts, tally, owner, { head: run.head });
  } catch (err) {
    error = (err as Error).message || String(err);
    // Stopped by a rate limit: the account is paused until the reset (the scheduled rounds skip it, the accounts page shows it).
    if (err instanceof RateLimitedError) pause = { until: err.until, reason: error };
  }
  const status = await finishImportRun(deps.db, run.id, account.id, tally, error, opts.now, pause);
  for (const k of ['pages', 'inserted', 'edited', 'deleted', 'unchanged', 'rejected'] as const) result.counts[k] += tally[k];
  for (const r of tally.rejectedSamples) {
    result.counts.warnings++;
    if (result.warnings.length < 200) result.warnings.push(`${account.handle}: ${r.ref}: ${r.reason}`);
  }
  for (const w of tally.warnings) {
    result.counts.warnings++;
    if (result.warnings.length < 200) result.warnings.push(`${account.handle}: ${w}`);
  }
  if (status === 'failed') {
    // An error, or a source whose every record was rejected: nothing of it reached the archive.
    const message = error ?? `every record was rejected (${tally.rejected}); first ${tally.rejectedSamples[0]?.ref}: ${tally.rejectedSamples[0]?.reason}`;
    result.counts.failedAccounts++;
    result.errors.push({ accountId: account.id, handle: account.handle, error: message });
    deps.log(`import ${account.platform}/${account.handle} failed: ${message}`);
  } else if (error) {
    result.errors.push({ accountId: account.id, handle: account.handle, error });
    deps.log(`import ${account.platform}/${account.handle} stopped after storing some posts: ${error}`);
  }
}

/** Splits the store's "<ref>: <problem>" warnings back into records (refs never contain ": "). */
function storeRejections(warnings: string[]) {
  return warnings.map((w) => {
    const at = w.indexOf(': ');
    return at < 0 ? { ref: 'record', reason: w } : { ref: w.slice(0, at), reason: w.slice(at + 2) };
  });
}

async function importAccount(deps: JobDeps, account: ImportAccount, opts: ImportOptions, tally: ImportRunTally, owner: string | null, chain: ChainHint): Promise<void> {
  const connector = deps.connectors[account.connector];
  if (!connector) throw new Error(`no connector named "${account.connector}" is registered`);
  let cursor = account.cursor;
  // The account's own token, decrypted for this run only.
  const token = await readAccountToken(deps.db, account.id, deps.secretKey);
  const maxPages = opts.maxPagesPerAccount ?? 1000;
  let leaseCheckedAt = Date.now();
  const fetchFrom = (from: string | null) => {
    const p = connector.fetchPage(connectorAccountOf(account, token), { cursor: from, now: opts.now, signal: AbortSignal.timeout(opts.fetchTimeoutMs ?? 180_000) });
    // Awaited later (after the current page is saved); until then a failure must not count as unhandled.
    p.catch(() => {});
    return p;
  };
  let next = fetchFrom(cursor);
  for (let page = 0; page < maxPages; page++) {
    if (deps.signal?.aborted) return;
    const fetched = await next;
    // The next page is fetched while this one is written (one page ahead at most): the connector's work (the
    // platform's latency, parsing, mapping) overlaps the database's. A crash or a refused page drops it unsaved.
    if (!fetched.done && page + 1 < maxPages) next = fetchFrom(fetched.nextCursor);
    const saved = await savePostsPage(deps.db, account, fetched.posts, cursor, fetched.nextCursor, opts.now, chain);
    tally.pages++;
    tally.inserted += saved.inserted;
    tally.edited += saved.edited;
    tally.deleted += saved.deleted;
    tally.unchanged += saved.unchanged;
    // Records the connector could not map, then those the store refused: each skipped, the page saved, the run told.
    tallyRejected(tally, [...(fetched.rejected ?? []), ...storeRejections(saved.warnings)]);
    for (const w of fetched.warnings ?? []) if (tally.warnings.length < 200) tally.warnings.push(w);
    opts.onProgress?.({ platform: account.platform, handle: account.handle, pages: tally.pages, stored: tally.inserted + tally.edited + tally.deleted + tally.unchanged, rejected: tally.rejected, done: fetched.done });
    cursor = fetched.nextCursor;
    if (fetched.done) return;
    // A long import keeps its lease (a timer extends it); every quarter of a lease it also checks that it still
    // holds it: if it ran out and another worker took the account, stop here (every saved page stays).
    if (owner && Date.now() - leaseCheckedAt > (LEASE_SECONDS * 1000) / 4) {
      if (!(await extendAccountLease(deps.db, account.id, owner))) throw new Error('another worker took this account over (this worker held it past its lease); it carries on from the saved cursor');
      leaseCheckedAt = Date.now();
    }
  }
}

/**
 * Frees the leases of worker processes of this host that no longer exist (killed, crashed): a restart
 * carries on at once instead of waiting for their leases to run out. Other hosts' leases just expire.
 */
export async function releaseDeadLocalLeases(deps: JobDeps): Promise<number> {
  let freed = 0;
  for (const owner of await listLeaseOwners(deps.db)) {
    if (!isDeadLocalProcess(owner)) continue;
    freed += await releaseLeasesOf(deps.db, owner);
    deps.log(`freed the account lease(s) of ${owner}, a stopped process`);
  }
  return freed;
}

/** What a connector is told about the account it fetches (with the account's own token, decrypted for this fetch). */
export function connectorAccountOf(account: ImportAccount, token: string | null): ConnectorAccount {
  const { id, entityId, platform, handle, platformAccountId, type, config, url } = account;
  return { id, entityId, platform, handle, platformAccountId, type, config, url, token };
}
