// Deletions noticed by reading a recent window again: platforms do not say that a post was deleted, so a
// connector that re-reads its newest posts on each poll sends as deleted a post of the window that two
// complete reads in a row did not return (the importer keeps its copy and records the deletion).
import type { ImportedPost } from './types.ts';

export interface RecentPost {
  id: string;
  /** created time, unix seconds */
  t: number;
  /** Complete window reads in a row that did not return it. */
  miss: number;
}

/** A post the platform no longer returns, created at `t` (unix seconds); `raw` keeps why it was taken as deleted. */
export function deletedPost(id: string, t: number, raw: unknown): ImportedPost {
  return {
    platformPostId: id,
    url: null,
    text: '',
    lang: null,
    postedAt: new Date(t * 1000),
    metrics: { likes: 0, shares: 0, replies: 0, views: 0 },
    isReply: false,
    isRepost: false,
    deleted: true,
    raw,
  };
}

/**
 * At the end of a complete read of the posts since `since`: a post of the window that the read did not return
 * misses once; at two misses in a row it is sent as deleted (the importer keeps its copy and records the deletion).
 * Posts at the window's very edge are left alone (a platform's own rounding may leave them out).
 */
export function closeWindowRead(recent: Map<string, RecentPost>, seen: Set<string>, since: number): ImportedPost[] {
  const gone: ImportedPost[] = [];
  for (const r of [...recent.values()]) {
    if (seen.has(r.id)) {
      r.miss = 0;
      continue;
    }
    if (r.t <= since + 1) continue;
    r.miss++;
    if (r.miss < 2) continue;
    gone.push(deletedPost(r.id, r.t, { deleted: true, reason: `absent from two complete reads of the posts since ${new Date(since * 1000).toISOString()}` }));
    recent.delete(r.id);
  }
  return gone;
}
