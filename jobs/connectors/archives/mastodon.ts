// Mastodon statuses saved to disk: the JSON array that GET /api/v1/accounts/:id/statuses answers. A Status:
// { id (a string), created_at (ISO 8601), edited_at (ISO 8601 or null), in_reply_to_id, language, url, uri,
// content (HTML), spoiler_text (a content warning, plain text), replies_count, reblogs_count, favourites_count,
// reblog (the boosted Status, or null), account, media_attachments }. The text scored is the HTML's text with
// the content warning before it; a boost is scored on the boosted status's text. The HTML stays in `raw`.
import type { ImportedPost } from '../types.ts';
import { Reject, countOf, dateOf, htmlToText, httpUrl, idOf, isObject, keysOf, langOf, parseIsoDate, recordEntries, refById, stringOf, type Parsed } from './common.ts';

export const isMastodonStatus = (v: unknown): v is Record<string, unknown> =>
  isObject(v) && Object.hasOwn(v, 'content') && Object.hasOwn(v, 'created_at') && (Object.hasOwn(v, 'uri') || Object.hasOwn(v, 'reblog') || Object.hasOwn(v, 'favourites_count'));

function statusText(s: Record<string, unknown>): string {
  const html = stringOf(s.content, 'content') ?? '';
  const cw = (stringOf(s.spoiler_text, 'spoiler_text') ?? '').trim();
  const text = htmlToText(html);
  return cw ? (text ? `${cw}\n\n${text}` : cw) : text;
}

export function mapMastodonStatus(s: unknown): ImportedPost {
  if (!isObject(s)) throw new Reject('not an object');
  const id = idOf(s, ['id']);
  const postedAt = dateOf(s.created_at, 'created_at', 'ISO 8601');
  let editedAt: Date | null = null;
  if (s.edited_at !== undefined && s.edited_at !== null) editedAt = dateOf(s.edited_at, 'edited_at', 'ISO 8601', parseIsoDate);
  const reblog = isObject(s.reblog) ? s.reblog : null;
  const shown = reblog ?? s;
  return {
    ref: `status ${id}`,
    platformPostId: id,
    // A boost's own uri is its activity (…/activity), not a page: its link is the boosted status's.
    url: reblog ? (httpUrl(reblog.url) ?? httpUrl(reblog.uri) ?? httpUrl(s.uri)) : (httpUrl(s.url) ?? httpUrl(s.uri)),
    text: statusText(shown),
    lang: langOf(shown.language),
    postedAt,
    editedAt,
    metrics: {
      likes: countOf(s.favourites_count, 'favourites_count'),
      shares: countOf(s.reblogs_count, 'reblogs_count'),
      replies: countOf(s.replies_count, 'replies_count'),
      views: 0,
    },
    isReply: s.in_reply_to_id !== undefined && s.in_reply_to_id !== null,
    isRepost: reblog !== null,
    raw: s,
  };
}

export function parseMastodon(v: unknown): Parsed {
  if (!Array.isArray(v)) throw new Error(`not a list of Mastodon statuses: the file is ${keysOf(v)}`);
  return recordEntries(v, (item, n) => refById('status', item, n, ['id']), mapMastodonStatus);
}
