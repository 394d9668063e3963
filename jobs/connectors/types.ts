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
  lang: 'ar' | 'en' | null;
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
  /** Problems that did not stop the page (for example malformed lines of a file). */
  warnings?: string[];
}

export interface Connector {
  platform: string;
  fetchPage(account: ConnectorAccount, ctx: FetchContext): Promise<FetchPage>;
}
