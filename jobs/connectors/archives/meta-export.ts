// Facebook and Instagram "Download your information" exports, JSON format.
// Facebook: your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json (older exports:
// posts/your_posts_1.json), a list of { timestamp (seconds), data: [{ post: 'text' }, { update_timestamp }],
// attachments: [{ data: [{ media: { uri, creation_timestamp, title, description } } | { external_context: { url } }] }],
// title: 'X updated their status.' }.
// Instagram: your_instagram_activity/content/posts_1.json (older: content/posts_1.json), a list of
// { media: [{ uri, creation_timestamp, title (the caption), media_metadata }], title?, creation_timestamp? }
// (title and creation_timestamp are at the top only for posts with several media); reels.json is
// { ig_reels_media: [ same ] }.
// Both write text as UTF-8 bytes each escaped as a character (`\u00d8\u00a7` for «ا»): decoded back here.
// The exports carry no post id: the id is made from the time and a hash of the text and first media file, so that
// the same post in a later export gets the same id (it will not match the id the Graph API gives the same post).
import { createHash } from 'node:crypto';
import type { ImportedPost } from '../types.ts';
import { Reject, isObject, keysOf, parseUnixSeconds, recordEntries, type Parsed } from './common.ts';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Undoes Meta's export encoding (UTF-8 bytes as Latin-1 characters); a string that is not so encoded is kept. */
export function fixMetaText(s: string): string {
  if (!/[\u0080-\u00ff]/.test(s) || /[^\u0000-\u00ff]/.test(s)) return s;
  try {
    return UTF8.decode(Buffer.from(s, 'latin1'));
  } catch {
    return s;
  }
}

const str = (v: unknown) => (typeof v === 'string' ? fixMetaText(v) : '');
const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);

export const isFacebookExportPost = (v: unknown): boolean =>
  isObject(v) && typeof v.timestamp === 'number' && (Array.isArray(v.data) || Array.isArray(v.attachments)) && !Object.hasOwn(v, 'id');
export const isInstagramExportPost = (v: unknown): boolean =>
  isObject(v) && Array.isArray(v.media) && v.media.some((m) => isObject(m) && typeof m.uri === 'string' && Object.hasOwn(m, 'creation_timestamp'));

function mediaOf(item: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (Array.isArray(item.attachments)) {
    for (const a of item.attachments) if (isObject(a) && Array.isArray(a.data)) for (const d of a.data) if (isObject(d) && isObject(d.media)) out.push(d.media);
  }
  if (Array.isArray(item.media)) for (const m of item.media) if (isObject(m)) out.push(m);
  return out;
}

export function mapMetaExportItem(item: unknown): ImportedPost {
  if (!isObject(item)) throw new Reject('not an object');
  const media = mediaOf(item);
  // Shaped like a Facebook export post (its timestamp checked below).
  if (Object.hasOwn(item, 'timestamp') && (Array.isArray(item.data) || Array.isArray(item.attachments))) {
    const postedAt = parseUnixSeconds(item.timestamp);
    if (!postedAt) throw new Reject(`invalid timestamp ${JSON.stringify(item.timestamp)} (expected seconds since 1970)`);
    // A photo or link shared without words has attachments and no `data` at all.
    const parts = (Array.isArray(item.data) ? item.data : []).filter(isObject);
    const text = parts.map((d) => str(d.post)).find((t) => t) ?? str(media[0]?.description);
    const updated = parts.map((d) => parseUnixSeconds(d.update_timestamp)).find((d) => d);
    const id = `fb-export:${item.timestamp}:${hash(text, str(media[0]?.uri))}`;
    return {
      ref: `post of ${postedAt.toISOString()}`,
      platformPostId: id,
      url: null,
      text,
      lang: null,
      postedAt,
      editedAt: updated && updated.getTime() > postedAt.getTime() ? updated : null,
      metrics: { likes: 0, shares: 0, replies: 0, views: 0 },
      isReply: false,
      isRepost: false,
      raw: item,
    };
  }
  if (isInstagramExportPost(item)) {
    const when = item.creation_timestamp ?? media[0]?.creation_timestamp;
    const postedAt = parseUnixSeconds(when);
    if (!postedAt) throw new Reject(`invalid creation_timestamp ${JSON.stringify(when)} (expected seconds since 1970)`);
    const text = str(item.title) || str(media[0]?.title);
    const id = `ig-export:${String(when)}:${hash(str(media[0]?.uri))}`;
    return {
      ref: `post of ${postedAt.toISOString()}`,
      platformPostId: id,
      url: null,
      text,
      lang: null,
      postedAt,
      metrics: { likes: 0, shares: 0, replies: 0, views: 0 },
      isReply: false,
      isRepost: false,
      raw: item,
    };
  }
  throw new Reject(`neither a Facebook export post (timestamp, data) nor an Instagram export post (media with uri): it has ${keysOf(item)}`);
}

/** The list of posts of an export file: the list itself, or Instagram's { ig_reels_media: [...] }. */
export function metaExportList(v: unknown): unknown[] | null {
  if (Array.isArray(v)) return v;
  if (isObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && /^ig_/.test(keys[0]) && Array.isArray(v[keys[0]])) return v[keys[0]] as unknown[];
  }
  return null;
}

export function parseMetaExport(v: unknown): Parsed {
  const list = metaExportList(v);
  if (!list) throw new Error(`not a Facebook or Instagram export file: expected a list of posts, found ${keysOf(v)}`);
  return recordEntries(
    list,
    (item, n) => {
      const t = isObject(item) ? (item.timestamp ?? item.creation_timestamp ?? (Array.isArray(item.media) && isObject(item.media[0]) ? item.media[0].creation_timestamp : undefined)) : undefined;
      const d = parseUnixSeconds(t);
      return d ? `post of ${d.toISOString()}` : `post at position ${n}`;
    },
    mapMetaExportItem,
  );
}
