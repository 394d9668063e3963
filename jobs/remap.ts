// Re-derives posts from the raw payloads Mizan kept, without fetching anything: after a mapping fix (a
// field read from the wrong place, an entity left undecoded), `npm run cli -- remap` brings every stored
// post in line. The raw payload and the captured versions (the evidence, hash-chained) are untouched;
// what changes is what was derived from them: text, language, reply/repost kind, counts. A changed text
// raises the post's revision, so the post is scored again.
import type { Db } from '../db/client.ts';
import { listRemapPosts, updateDerivedPost, type StoredPost } from '../db/queries/remap.ts';
import { mapMastodonStatus } from './connectors/archives/mastodon.ts';
import { mapMetaExportItem } from './connectors/archives/meta-export.ts';
import { mapMetaItem } from './connectors/archives/meta.ts';
import { mapTelegramMessage } from './connectors/archives/telegram.ts';
import { mapV2Tweet } from './connectors/archives/twarc.ts';
import { mapArchiveTweet } from './connectors/archives/x-archive.ts';
import { mapFeedItem } from './connectors/bluesky.ts';
import { mapGenericRecord } from './connectors/file.ts';
import { mapFacebookPost, mapInstagramMedia } from './connectors/graph.ts';
import { mapStatus } from './connectors/mastodon.ts';
import type { ImportedPost } from './connectors/types.ts';
import { mapStoredTweet } from './connectors/x.ts';
import { mapStoredFeedItem } from './connectors/rss.ts';
import { mapPlaylistItem, mapYouTubeEntry } from './connectors/youtube.ts';

/** `stored` is the post as it is: a payload kept before its context was (a feed's language) keeps the stored value. */
type Remapper = (raw: unknown, stored: StoredPost) => ImportedPost | string;

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
const orReason = (fn: () => ImportedPost | null): ImportedPost | string => {
  try {
    return fn() ?? 'the raw record maps to no post';
  } catch (err) {
    return (err as Error).message;
  }
};

/** The mapping of an account's connector from its stored raw payload, or null when that connector keeps nothing to re-derive from. */
export function remapperFor(connector: string, handle: string, config: Record<string, unknown>): Remapper | null {
  switch (connector) {
    case 'x':
      return (raw) => mapStoredTweet(raw, handle);
    case 'mastodon':
      return (raw) => mapStatus(raw as Parameters<typeof mapStatus>[0]);
    case 'bluesky':
      return (raw) => mapFeedItem(raw as Parameters<typeof mapFeedItem>[0]);
    case 'facebook':
    case 'instagram':
      return (raw) => {
        const m = (connector === 'facebook' ? mapFacebookPost : mapInstagramMedia)(raw, 0);
        return 'post' in m ? m.post : m.rejected.reason;
      };
    case 'youtube':
      return (raw, stored) => {
        const r = obj(raw);
        if (r.snippet) {
          const m = mapPlaylistItem(raw, r.statistics ? (raw as never) : undefined, 0);
          return 'post' in m ? m.post : 'rejected' in m ? m.rejected.reason : m.unavailable;
        }
        // The public feed: { format: 'youtube-feed', entry, feedLang }, or the bare entry kept before the feed's language was.
        const kept = r.format === 'youtube-feed';
        const m = mapYouTubeEntry(kept ? r.entry : raw, 0, kept ? ((r.feedLang as string | null) ?? null) : null);
        if ('rejected' in m) return m.rejected.reason;
        return kept ? m.post : { ...m.post, lang: m.post.lang ?? stored.lang };
      };
    case 'rss':
      return (raw, stored) => {
        const m = mapStoredFeedItem(raw);
        return typeof m === 'string' || 'fallbackLang' in obj(raw) ? m : { ...m, lang: m.lang ?? stored.lang };
      };
    case 'file':
      switch (config.format) {
        case 'x-archive':
          return (raw) => orReason(() => mapArchiveTweet(raw, Boolean(obj(obj(raw).tweet ?? raw).deleted_at)));
        case 'telegram':
          return (raw) => orReason(() => mapTelegramMessage(raw));
        case 'twarc':
          // The v2 envelope { data, includes }, or the bare tweet that earlier imports kept.
          return (raw) => (obj(obj(raw).data).id !== undefined ? mapStoredTweet(raw, null) : orReason(() => mapV2Tweet(raw, new Map())));
        case 'mastodon-json':
          return (raw) => orReason(() => mapMastodonStatus(raw));
        case 'meta-json':
          return (raw) => orReason(() => mapMetaItem(raw));
        case 'meta-export':
          return (raw) => orReason(() => mapMetaExportItem(raw));
        case 'jsonl':
        case 'csv':
        case undefined:
        case 'auto':
          return (raw) => orReason(() => mapGenericRecord(raw, 0));
        default:
          return null;
      }
    default:
      return null;
  }
}

export interface RemapReport {
  accounts: number;
  posts: number;
  changed: number;
  unchanged: number;
  /** Posts whose raw payload no longer maps (the stored post is left as it is), with why. */
  failed: { postId: number; reason: string }[];
  /** Accounts whose connector keeps no re-derivable payload. */
  skippedAccounts: string[];
}

export async function remapPosts(db: Db, opts: { accountIds?: number[]; now: Date }): Promise<RemapReport> {
  const report: RemapReport = { accounts: 0, posts: 0, changed: 0, unchanged: 0, failed: [], skippedAccounts: [] };
  for await (const { account, posts } of listRemapPosts(db, opts.accountIds)) {
    const remap = remapperFor(account.connector, account.handle, account.config);
    if (!remap) {
      if (!report.skippedAccounts.includes(account.handle)) report.skippedAccounts.push(`${account.connector}/${account.handle}`);
      continue;
    }
    report.accounts++;
    for (const p of posts) {
      report.posts++;
      const mapped = remap(p.raw, p);
      if (typeof mapped === 'string') {
        if (report.failed.length < 100) report.failed.push({ postId: p.id, reason: mapped });
        continue;
      }
      if (mapped.platformPostId !== p.platformPostId) {
        if (report.failed.length < 100) report.failed.push({ postId: p.id, reason: `the raw payload now maps to post id ${mapped.platformPostId}, not ${p.platformPostId}: left as it is` });
        continue;
      }
      if (await updateDerivedPost(db, p, mapped, opts.now)) report.changed++;
      else report.unchanged++;
    }
  }
  return report;
}
