// verify-archive: recompute every account's hash chain of captured versions (db/queries/archive.ts) and name
// the first broken link of each account. What it proves: no captured version was changed, removed from the
// middle, reordered or moved to another account since it was written. Removing an account's newest versions
// leaves a shorter chain that is still whole, so the report gives each chain's head hash: record it
// elsewhere (a ticket, a signed e-mail) and a later report shows whether anything was cut from the end.
import type { Db } from '../db/client.ts';
import { listArchiveAccounts, listPostsWithoutVersions, readChainPage, versionSha256, type ChainRow } from '../db/queries/archive.ts';

export type BrokenKind = 'content' | 'prev' | 'first' | 'account' | 'post-missing' | 'no-versions';

export interface BrokenLink {
  accountId: number;
  account: string;
  kind: BrokenKind;
  postId: number;
  platformPostId: string | null;
  /** null for `no-versions` (a post none of whose versions is left). */
  versionId: number | null;
  message: string;
}

export interface ChainSummary {
  accountId: number;
  account: string;
  versions: number;
  /** sha256 of the account's newest version (null when it has none). */
  head: string | null;
  broken: BrokenLink | null;
}

export interface ArchiveReport {
  ok: boolean;
  accounts: number;
  versions: number;
  chains: ChainSummary[];
  /** The first broken link of each broken chain, in account order. */
  broken: BrokenLink[];
}

const PAGE = 1000;
const short = (sha: string | null) => (sha === null ? 'null' : `${sha.slice(0, 16)}…`);

export async function verifyArchive(db: Db, opts: { accountId?: number } = {}): Promise<ArchiveReport> {
  const accounts = await listArchiveAccounts(db, opts.accountId);
  if (opts.accountId !== undefined && accounts.length === 0) throw new Error(`account ${opts.accountId} does not exist`);
  const chains: ChainSummary[] = [];
  for (const a of accounts) chains.push(await verifyChain(db, a.id, `${a.platform}/${a.handle}`));
  const broken = chains.flatMap((c) => (c.broken ? [c.broken] : []));
  return { ok: broken.length === 0, accounts: chains.length, versions: chains.reduce((n, c) => n + c.versions, 0), chains, broken };
}

async function verifyChain(db: Db, accountId: number, account: string): Promise<ChainSummary> {
  let prev: ChainRow | null = null;
  let versions = 0;
  let after = 0;
  const brokenAt = async (row: ChainRow, kind: BrokenKind, message: string): Promise<ChainSummary> => ({
    accountId,
    account,
    versions: versions + 1,
    head: null,
    broken: { accountId, account, kind, postId: row.postId, platformPostId: row.platformPostId, versionId: row.id, message },
  });
  for (;;) {
    const page = await readChainPage(db, accountId, after, PAGE);
    for (const row of page) {
      if (row.platformPostId === null) return brokenAt(row, 'post-missing', `its post ${row.postId} no longer exists`);
      if (row.postAccountId !== accountId)
        return brokenAt(row, 'account', `the version is chained under account ${accountId} but its post now belongs to account ${row.postAccountId}`);
      if (prev === null && row.prevSha256 !== null)
        return brokenAt(row, 'first', `it is the account's first version but its prev_sha256 is ${short(row.prevSha256)}: earlier versions were removed`);
      if (prev !== null && row.prevSha256 !== prev.sha256)
        return brokenAt(
          row,
          'prev',
          `its prev_sha256 ${short(row.prevSha256)} is not the sha256 ${short(prev.sha256)} of the version before it (version ${prev.id}): a version between them was removed or the chain was rewritten`,
        );
      const recomputed = versionSha256(
        { accountId, platformPostId: row.platformPostId, kind: row.kind, text: row.text, capturedAt: row.capturedAt, raw: row.raw },
        row.prevSha256,
      );
      if (recomputed !== row.sha256) return brokenAt(row, 'content', await contentMessage(db, row, recomputed));
      prev = row;
      versions++;
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1].id;
  }
  const orphans = await listPostsWithoutVersions(db, accountId, 1);
  if (orphans.length) {
    const o = orphans[0];
    return {
      accountId,
      account,
      versions,
      head: prev?.sha256 ?? null,
      broken: { accountId, account, kind: 'no-versions', postId: o.id, platformPostId: o.platformPostId, versionId: null, message: `post ${o.id} has no captured version left: its versions were removed` },
    };
  }
  return { accountId, account, versions, head: prev?.sha256 ?? null, broken: null };
}

/** Says what no longer matches, as far as the database tells: the post's current text is the last captured one. */
async function contentMessage(db: Db, row: ChainRow, recomputed: string): Promise<string> {
  const base = `its content no longer matches its sha256 (stored ${short(row.sha256)}, recomputed ${short(recomputed)})`;
  const last = await db
    .selectFrom('post_version')
    .select(({ fn }) => fn.max('id').as('id'))
    .where('post_id', '=', row.postId)
    .where('kind', 'in', ['original', 'edit'])
    .executeTakeFirst();
  if (row.kind !== 'deleted' && last?.id !== undefined && Number(last.id) === row.id && row.postText !== null && row.postText !== row.text)
    return `${base}: its text differs from the post's text (${JSON.stringify(preview(row.text))} in the version, ${JSON.stringify(preview(row.postText))} in the post)`;
  return `${base}: its text, raw payload, kind, capture time or post id was changed after capture, or the hash itself was`;
}

const preview = (s: string) => (s.length > 60 ? `${s.slice(0, 60)}…` : s);

/** The report as lines for the CLI: the broken links first, then every chain's head. */
export function formatArchiveReport(r: ArchiveReport): string[] {
  const lines: string[] = [];
  for (const b of r.broken) {
    const post = b.platformPostId === null ? `post ${b.postId}` : `post ${b.postId} (platform id ${JSON.stringify(b.platformPostId)})`;
    lines.push(`BROKEN account ${b.accountId} (${b.account}), ${post}${b.versionId === null ? '' : `, version ${b.versionId}`}: ${b.message}`);
  }
  // Each chain's head, to be recorded elsewhere: a later run shows whether versions were cut from the end.
  for (const c of r.chains) {
    if (!c.broken && c.head !== null) lines.push(`account ${c.accountId} (${c.account}): ${c.versions} versions, head ${c.head}`);
  }
  lines.push(
    r.ok
      ? `OK: ${r.accounts} accounts, ${r.versions} versions, every chain intact`
      : `BROKEN: ${r.broken.length} of ${r.accounts} accounts have a broken chain (the first broken link of each is named above)`,
  );
  return lines;
}
