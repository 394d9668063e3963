// A Graph API page saved to disk: { data: [...], paging: { cursors: { before, after }, next?, previous? } }.
// Facebook Page posts (GET /{page-id}/posts): { id: '{page-id}_{post-id}', message?, story?, created_time:
// '2024-03-01T10:15:00+0000', updated_time, permalink_url, shares?: { count }, parent_id? (a share of another
// post), reactions|likes?: { summary: { total_count } }, comments?: { summary: { total_count } } }.
// Instagram media (GET /{ig-user-id}/media): { id, caption? (absent on a photo without one), media_type,
// media_url, permalink, timestamp: '2024-03-01T10:15:00+0000', like_count, comments_count, username }.
// Messages and captions are plain text (not HTML-escaped). `updated_time` also moves with comments, so it is not
// taken as an edit.
import type { ImportedPost } from '../types.ts';
import { Reject, countOf, dateOf, has, httpUrl, idOf, isObject, keysOf, recordEntries, refById, stringOf, type Parsed } from './common.ts';

export const isFacebookPost = (v: unknown): boolean => isObject(v) && Object.hasOwn(v, 'created_time');
export const isInstagramMedia = (v: unknown): boolean =>
  isObject(v) && Object.hasOwn(v, 'timestamp') && ['media_type', 'permalink', 'caption', 'like_count', 'comments_count', 'media_url', 'media_product_type'].some((k) => Object.hasOwn(v, k));

/** A saved Graph API page: `data` a list, `paging` (or an empty `data`) beside it. */
export const isGraphPage = (v: unknown): v is Record<string, unknown> & { data: unknown[] } =>
  isObject(v) && Array.isArray(v.data) && (Object.hasOwn(v, 'paging') || v.data.some((d) => isFacebookPost(d) || isInstagramMedia(d)));

const summaryCount = (v: unknown, name: string) => (isObject(v) && isObject(v.summary) ? countOf(v.summary.total_count, `${name}.summary.total_count`) : 0);

export function mapMetaItem(item: unknown): ImportedPost {
  if (!isObject(item)) throw new Reject('not an object');
  const id = idOf(item, ['id']);
  if (isFacebookPost(item)) {
    const postedAt = dateOf(item.created_time, 'created_time', 'ISO 8601 such as 2024-03-01T10:15:00+0000');
    return {
      ref: `post ${id}`,
      platformPostId: id,
      url: httpUrl(item.permalink_url),
      text: stringOf(item.message, 'message') ?? '',
      lang: null,
      postedAt,
      metrics: {
        likes: has(item, 'reactions') ? summaryCount(item.reactions, 'reactions') : summaryCount(item.likes, 'likes'),
        shares: isObject(item.shares) ? countOf(item.shares.count, 'shares.count') : 0,
        replies: summaryCount(item.comments, 'comments'),
        views: 0,
      },
      isReply: false,
      isRepost: has(item, 'parent_id'),
      raw: item,
    };
  }
  if (Object.hasOwn(item, 'timestamp')) {
    const postedAt = dateOf(item.timestamp, 'timestamp', 'ISO 8601 such as 2024-03-01T10:15:00+0000');
    return {
      ref: `media ${id}`,
      platformPostId: id,
      url: httpUrl(item.permalink),
      text: stringOf(item.caption, 'caption') ?? '',
      lang: null,
      postedAt,
      metrics: { likes: countOf(item.like_count, 'like_count'), shares: 0, replies: countOf(item.comments_count, 'comments_count'), views: 0 },
      isReply: false,
      isRepost: false,
      raw: item,
    };
  }
  throw new Reject(`neither a Facebook post (created_time) nor Instagram media (timestamp): the item has ${keysOf(item)}`);
}

export function parseMeta(v: unknown): Parsed {
  if (!isObject(v) || !Array.isArray(v.data)) throw new Error(`not a Graph API page: expected { "data": [...], "paging": {...} }, found ${keysOf(v)}`);
  return recordEntries(v.data, (item, n) => refById(isInstagramMedia(item) ? 'media' : 'post', item, n, ['id']), mapMetaItem);
}
