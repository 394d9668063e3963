// One interface for every platform; the import code never branches on platform.
import type { AccountType } from '../../db/vocabulary.ts';

export interface ConnectorAccount {
  id: number;
  entityId: number;
  platform: string;
  handle: string;
  platformAccountId: string | null;
  type: AccountType;
  /** Connector-specific settings (for `file`: { path }); never secrets in clear. */
  config: Record<string, unknown>;
  /** The account's address: the Mastodon instance, the RSS/Atom feed, the profile page. */
  url?: string | null;
  /** The account's own token, decrypted for this fetch only (never logged, never returned by the API). */
  token?: string | null;
}

/** Posts are stored, scored and served with at most this many characters (X caps long posts at 25,000); `raw` keeps the full text. */
export const MAX_POST_TEXT = 25_000;

/** Each a non-negative safe integer (Number.isSafeInteger); a post with another count is skipped with a warning. */
export interface PostMetrics {
  likes: number;
  shares: number;
  replies: number;
  views: number;
}

export interface ImportedPost {
  /** Unique per account on the platform; the natural key of an import. */
  platformPostId: string;
  url: string | null;
  /** Any length: the store keeps the first MAX_POST_TEXT characters and marks the post truncated. */
  text: string;
  /** The platform's language tag as given (`ar`, `en`, `und`, `qme`, `ja`…); the scorer decides what to make of it. */
  lang: string | null;
  /** From 1990-01-01 to one day after the import's `now` (clock skew); a post outside is skipped with a warning. */
  postedAt: Date;
  metrics: PostMetrics;
  isReply: boolean;
  isRepost: boolean;
  /** Set when the platform reports the post was edited after posting. */
  editedAt?: Date | null;
  /** True when the platform reports the post as deleted (the archived copy is kept). */
  deleted?: boolean;
  /** The platform's own payload, stored beside the mapped post as evidence. */
  raw: unknown;
  /** How a warning names this record, e.g. 'line 12' for a file; else 'post <platformPostId>'. */
  ref?: string;
}

export interface FetchContext {
  cursor: string | null;
  now: Date;
  signal?: AbortSignal;
}

export interface FetchPage {
  posts: ImportedPost[];
  /** Opaque cursor to store; the next fetch resumes from it. */
  nextCursor: string | null;
  /** False when another page is waiting right away. */
  done: boolean;
  /** Problems that did not stop the page and lost nothing (notes for the run's log). */
  warnings?: string[];
  /** Records of the source that could not be mapped: skipped, never aborting the page, and recorded on the run. */
  rejected?: RejectedRecord[];
}

/** A source record the connector could not map to a post. */
export interface RejectedRecord {
  /** How to find it in the source: 'line 12', 'tweet 1800000000000000001', 'item 3 of the feed'. */
  ref: string;
  /** What is wrong, naming the fields that are there: 'no posted_at (the record has created_at)'. */
  reason: string;
  /** The start of the record as it was read (at most 500 characters). */
  sample?: string;
}

export interface Connector {
  platform: string;
  fetchPage(account: ConnectorAccount, ctx: FetchContext): Promise<FetchPage>;
}
