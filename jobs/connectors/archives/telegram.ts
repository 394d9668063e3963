// A Telegram Desktop chat export (Settings → Advanced → Export Telegram data, or a channel's "Export chat
// history", machine-readable JSON): result.json = { name, type: 'public_channel' | 'private_channel' | …, id,
// messages: [...] }. A message: { id, type: 'message' | 'service', date: '2024-03-01T10:15:00' (local time of the
// exporting computer, no offset), date_unixtime: '1709288100', edited?, edited_unixtime?, from, from_id,
// forwarded_from?, reply_to_message_id?, photo?, file?, text: a string or an array of strings and entity objects
// { type: 'bold' | 'link' | 'text_link' | 'mention' | 'hashtag' | …, text, href? }, text_entities, reactions?:
// [{ type: 'emoji', count, emoji }] }. Service messages (channel created, title changed) are not posts.
import type { ImportedPost } from '../types.ts';
import { Reject, countOf, idOf, isObject, keysOf, parseUnixSeconds, recordEntries, refById, type Parsed } from './common.ts';

/** The text of a message: `text` as a string, or its parts (strings and entities' `text`) joined; else `text_entities`. */
export function telegramText(m: Record<string, unknown>): string {
  const join = (parts: unknown[]) =>
    parts
      .map((p) => {
        if (typeof p === 'string') return p;
        if (isObject(p) && typeof p.text === 'string') return p.text;
        throw new Reject(`text: a part is ${keysOf(p)}, not a string or an entity with text`);
      })
      .join('');
  if (typeof m.text === 'string') return m.text;
  if (Array.isArray(m.text)) return join(m.text);
  if (Array.isArray(m.text_entities)) return join(m.text_entities);
  if (m.text === undefined || m.text === null) return '';
  throw new Reject('text: must be a string or a list of parts');
}

export function mapTelegramMessage(m: unknown): ImportedPost | null {
  if (!isObject(m)) throw new Reject('not an object');
  if (m.type === 'service') return null;
  if (m.type !== undefined && m.type !== 'message') throw new Reject(`type "${String(m.type)}" is neither "message" nor "service"`);
  const id = idOf(m, ['id']);
  let postedAt = parseUnixSeconds(m.date_unixtime);
  if (!postedAt) {
    if (m.date_unixtime !== undefined) throw new Reject(`invalid date_unixtime ${JSON.stringify(m.date_unixtime)} (expected seconds since 1970)`);
    // Exports before Telegram Desktop 3.x have only `date`, in the exporting computer's time zone: not guessed.
    throw new Reject(
      typeof m.date === 'string'
        ? `no date_unixtime (the message has date ${JSON.stringify(m.date)}, which has no time zone; export again with a recent Telegram Desktop)`
        : 'missing date_unixtime',
    );
  }
  let editedAt: Date | null = null;
  if (m.edited_unixtime !== undefined && m.edited_unixtime !== null) {
    editedAt = parseUnixSeconds(m.edited_unixtime);
    if (!editedAt) throw new Reject(`invalid edited_unixtime ${JSON.stringify(m.edited_unixtime)} (expected seconds since 1970)`);
  }
  let likes = 0;
  if (m.reactions !== undefined && m.reactions !== null) {
    if (!Array.isArray(m.reactions)) throw new Reject('reactions: must be a list');
    for (const r of m.reactions) likes += countOf(isObject(r) ? r.count : r, 'reactions.count');
    if (!Number.isSafeInteger(likes)) throw new Reject(`reactions: the sum must be at most ${Number.MAX_SAFE_INTEGER}`);
  }
  return {
    ref: `message ${id}`,
    platformPostId: id,
    url: null,
    text: telegramText(m),
    lang: null,
    postedAt,
    editedAt,
    metrics: { likes, shares: countOf(m.forwards, 'forwards'), replies: 0, views: countOf(m.views, 'views') },
    isReply: m.reply_to_message_id !== undefined && m.reply_to_message_id !== null,
    isRepost: Object.hasOwn(m, 'forwarded_from') || Object.hasOwn(m, 'forwarded_from_id'),
    raw: m,
  };
}

export const isTelegramExport = (v: unknown): v is Record<string, unknown> & { messages: unknown[] } => isObject(v) && Array.isArray(v.messages);

export function parseTelegram(v: unknown): Parsed {
  if (!isTelegramExport(v)) {
    if (isObject(v) && isObject(v.chats) && Array.isArray((v.chats as Record<string, unknown>).list)) {
      throw new Error('this is a whole Telegram account export (chats.list): export the channel alone with its "Export chat history" and give that result.json');
    }
    throw new Error(`not a Telegram Desktop export: expected an object with a "messages" list, found ${keysOf(v)}`);
  }
  return recordEntries(v.messages, (item, n) => refById('message', item, n, ['id']), mapTelegramMessage);
}
