// Imported posts for tests that go through the import path (savePostsPage): only what a test cares about is given.
import type { ImportedPost } from '../../jobs/connectors/types.ts';

/** An Arabic post of 2026-11-18 with no counts, not a reply or repost; `fields` overrides any of that. */
export function importedPost(id: string, text: string, fields: Partial<ImportedPost> = {}): ImportedPost {
  return {
    platformPostId: id,
    url: null,
    text,
    lang: 'ar',
    postedAt: new Date('2026-11-18T09:00:00Z'),
    metrics: { likes: 0, shares: 0, replies: 0, views: 0 },
    isReply: false,
    isRepost: false,
    raw: { id, text },
    ...fields,
  };
}
