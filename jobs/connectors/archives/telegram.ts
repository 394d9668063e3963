// A Telegram Desktop chat export (Settings → Advanced → Export Telegram data, or a channel's "Export chat
// history", machine-readable JSON): result.json = { name, type: 'public_channel' | 'private_channel' | …, id,
// messages: [...] }. A message: { id, type: 'message' | 'service', date: '2024-03-01T10:15:00' (local time of the
// exporting computer, no offset), date_unixtime: '1709288100', edited?, edited_unixtime?, from, from_id,
// forwarded_from?, reply_to_message_id?, photo?, file?, text: a string or an array of strings and entity objects
// { type: 'bold' | 'link' | 'text_link' | 'mention' | 'hashtag' | …, text, href? }, text_entities, reactions?:
// [{ type: 'emoji', count, emoji }] }. Service messages (channel created, title changed) are not posts; a message
// whose media the exporter does not support is written `{ id, type: 'unsupported' }` and refused.
// The whole-account export (Settings → Advanced → Export Telegram data) is one result.json = { about,
// personal_information, contacts, frequent_contacts, chats: { about, list: [chat, ...] }, left_chats: { about,
// list } }, each chat shaped as above (export_output_json.cpp, JsonWriter::writeDialogStart): the one channel
// in it is read; with several channels (or none) it is refused, naming them.
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
  if (m.type === 'unsupported') throw new Reject('type "unsupported": Telegram Desktop exported this message without its date or content (a media type it cannot export)');
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

/** A whole-account export: `chats.list` (and `left_chats.list`) of chats, each with its messages. */
export const isTelegramAccountExport = (v: unknown): v is Record<string, unknown> & { chats: { list: unknown[] } } =>
  isObject(v) && isObject(v.chats) && Array.isArray(v.chats.list);

const CHANNEL_TYPES = ['public_channel', 'private_channel'];

/** The channel of a whole-account export, or why there is not one channel to read. */
export function accountExportChannel(v: Record<string, unknown>): { chat: Record<string, unknown> & { messages: unknown[] } } | { error: string } {
  const chats: Record<string, unknown>[] = [];
  for (const key of ['chats', 'left_chats']) {
    const group = v[key];
    if (isObject(group) && Array.isArray(group.list)) for (const c of group.list) if (isObject(c)) chats.push(c);
  }
  const channels = chats.filter((c): c is Record<string, unknown> & { messages: unknown[] } => CHANNEL_TYPES.includes(String(c.type)) && Array.isArray(c.messages));
  if (channels.length === 1) return { chat: channels[0] };
  const name = (c: Record<string, unknown>) => `${JSON.stringify(typeof c.name === 'string' ? c.name : null)} (id ${String(c.id)}, ${Array.isArray(c.messages) ? c.messages.length : 0} messages)`;
  if (channels.length === 0) {
    return {
      error: `this is a whole Telegram account export (chats.list) with ${chats.length} chats and no channel in it: export the channel with its "Export chat history" (JSON) and give that result.json`,
    };
  }
  return {
    error: `this is a whole Telegram account export (chats.list) with ${channels.length} channels: ${channels.slice(0, 10).map(name).join(', ')}${channels.length > 10 ? ' and more' : ''}; export the channel to import with its "Export chat history" (JSON) and give that result.json`,
  };
}

export function parseTelegram(v: unknown): Parsed {
  let chat: unknown = v;
  if (!isTelegramExport(v) && isTelegramAccountExport(v)) {
    const found = accountExportChannel(v);
    if ('error' in found) throw new Error(found.error);
    chat = found.chat;
  }
  if (!isTelegramExport(chat)) throw new Error(`not a Telegram Desktop export: expected an object with a "messages" list, found ${keysOf(v)}`);
  return recordEntries(chat.messages, (item, n) => refById('message', item, n, ['id']), mapTelegramMessage);
}
