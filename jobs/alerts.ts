// The alert job: a critical finding, or a flagged post later deleted, notifies the entity's directors and oversight
// in the app, by e-mail (now or in a daily/weekly digest, as each user chose) and by an optional signed webhook.
//
// What is new is read by id from a mark (db/queries/notifications.ts getAlertCursor): finding ids for critical
// findings, post_version ids of captured deletions. The mark a run starts from is one saved at least an hour
// earlier, so a scoring transaction that committed after a run had read past its ids is still seen; the alert
// table (one row per post and kind) and the notification's unique index make reading a row twice harmless.
//
// Webhook (MIZAN_ALERT_WEBHOOK_URL): each new alert is POSTed once as JSON (AlertWebhookBody), with headers
//   X-Mizan-Event: critical-finding | deleted-after-flagged
//   X-Mizan-Delivery: <alert id>  (the same on a retry: the receiver can drop a repeat)
//   X-Mizan-Timestamp: <Unix time in seconds when sent>
//   X-Mizan-Signature: sha256=<hex HMAC-SHA256, keyed with MIZAN_ALERT_WEBHOOK_SECRET, of `${timestamp}.${raw body}`>
// The receiver recomputes the HMAC over the timestamp header, a dot and the body bytes as received, compares in
// constant time, and refuses a timestamp too far from its clock (a replay). Any 2xx is delivered; anything else,
// a network error or no answer within 10 s is retried at the next run (the state is kept on the alert row).
import { createHmac } from 'node:crypto';
import type { Db } from '../db/client.ts';
import {
  claimNotificationsForEmail,
  claimWebhook,
  finishWebhook,
  getAlertCursor,
  getAlertHighWater,
  getAlertPosts,
  getRuleTitles,
  insertAlerts,
  listDueWebhooks,
  listNewCriticalFindings,
  listNewDeletedAfterFlagged,
  listUnsentNotifications,
  releaseNotificationsForEmail,
  saveAlertCursor,
  type AlertFinding,
  type AlertKind,
  type AlertPost,
  type UnsentNotification,
} from '../db/queries/notifications.ts';
import type { AlertDigest } from '../db/schema.ts';
import type { Bilingual } from '../db/vocabulary.ts';
import type { Config } from './config.ts';
import { createMailer, redactSmtp, type Mail, type Mailer } from './mailer.ts';

export type AlertConfig = Pick<
  Config,
  | 'MIZAN_SMTP_URL'
  | 'MIZAN_MAIL_FROM'
  | 'MIZAN_PUBLIC_URL'
  | 'MIZAN_TIMEZONE'
  | 'MIZAN_ALERT_DIGEST_HOUR'
  | 'MIZAN_ALERT_DIGEST_WEEKDAY'
  | 'MIZAN_ALERT_WEBHOOK_URL'
  | 'MIZAN_ALERT_WEBHOOK_SECRET'
>;

export interface AlertDeps {
  db: Db;
  config: AlertConfig;
  log: (message: string) => void;
  signal?: AbortSignal;
}

/** A run reads again what the runs of this last stretch read (see the top of the file). */
const RESCAN_MS = 60 * 60_000;
/** Ids read per query, so that a rescoring of the whole database is read in bounded pieces. */
const ID_CHUNK = 200_000;
/** An e-mail about an alert older than the weekly digest's period (and a day) is no longer news. */
const EMAIL_WINDOW_MS = 8 * 24 * 3_600_000;
/** After this many failed sends in a row the server is taken as down until the next run. */
const MAX_SEND_FAILURES = 3;
const WEBHOOK_TIMEOUT_MS = 10_000;
/** About a day of five-minute runs; then the alert's webhook is given up (state 'failed', error kept). */
const WEBHOOK_MAX_ATTEMPTS = 288;
/** A delivery left 'sending' by a stopped process is taken again after this. */
const WEBHOOK_STALE_MS = 5 * 60_000;

export interface AlertCounts {
  [key: string]: number;
  alerts: number;
  notifications: number;
  emails: number;
  emailFailures: number;
  webhooks: number;
  webhookFailures: number;
}

const emptyCounts = (): AlertCounts => ({ alerts: 0, notifications: 0, emails: 0, emailFailures: 0, webhooks: 0, webhookFailures: 0 });

/** One run after an import: new alerts, the immediate e-mails, digests that are due (or failed before), webhooks. */
export async function runAlerts(deps: AlertDeps, opts: { now: Date }): Promise<{ counts: AlertCounts; errors: string[] }> {
  const counts = emptyCounts();
  const errors: string[] = [];
  const webhook = Boolean(deps.config.MIZAN_ALERT_WEBHOOK_URL && deps.config.MIZAN_ALERT_WEBHOOK_SECRET);
  const high = await getAlertHighWater(deps.db);
  for (const [source, upTo, list] of [
    ['finding', high.finding, listNewCriticalFindings],
    ['deletion', high.deletion, listNewDeletedAfterFlagged],
  ] as const) {
    const from = await getAlertCursor(deps.db, source, opts.now, RESCAN_MS);
    for (let after = from.lastId; after < upTo; after += ID_CHUNK) {
      const found = await list(deps.db, after, Math.min(after + ID_CHUNK, upTo));
      const r = await insertAlerts(deps.db, found, { now: opts.now, webhook });
      counts.alerts += r.alerts;
      counts.notifications += r.notifications;
    }
    await saveAlertCursor(deps.db, source, opts.now, upTo, from.at);
  }
  if (counts.alerts) deps.log(`alerts: ${counts.alerts} new, ${counts.notifications} notification(s)`);
  await sendEmails(deps, opts.now, counts, errors, { immediate: true });
  if (webhook) await deliverWebhooks(deps, opts.now, counts, errors);
  return { counts, errors };
}

/** The digest job (at MIZAN_ALERT_DIGEST_HOUR): daily digests, and on MIZAN_ALERT_DIGEST_WEEKDAY the weekly ones. */
export async function runAlertDigests(deps: AlertDeps, opts: { now: Date }): Promise<{ counts: AlertCounts; errors: string[] }> {
  const counts = emptyCounts();
  const errors: string[] = [];
  await sendEmails(deps, opts.now, counts, errors, { immediate: false });
  return { counts, errors };
}

/**
 * The latest moment at or before `now` when the clock in `timeZone` read `hour`:00 (on `weekday`, 0 = Sunday, when
 * given): the cut-off of the digest due at `now`. Walks back in quarter hours (zones with :30 and :45 offsets).
 */
export function lastDigestSlot(now: Date, timeZone: string, hour: number, weekday?: number): Date {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', weekday: 'short', hour: '2-digit', minute: '2-digit' });
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  let t = Math.floor(now.getTime() / 900_000) * 900_000;
  for (let i = 0; i < 8 * 24 * 4; i++, t -= 900_000) {
    const p = Object.fromEntries(parts.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
    if (Number(p.hour) === hour && Number(p.minute) === 0 && (weekday === undefined || days.indexOf(p.weekday) === weekday)) return new Date(t);
  }
  return new Date(t);
}

async function sendEmails(deps: AlertDeps, now: Date, counts: AlertCounts, errors: string[], what: { immediate: boolean }) {
  const { config } = deps;
  if (!config.MIZAN_SMTP_URL) return;
  // Digests whose hour has passed: at the digest job's slot, and at any later run while a digest failed or was missed.
  const daily = lastDigestSlot(now, config.MIZAN_TIMEZONE, config.MIZAN_ALERT_DIGEST_HOUR);
  const weekly = lastDigestSlot(now, config.MIZAN_TIMEZONE, config.MIZAN_ALERT_DIGEST_HOUR, config.MIZAN_ALERT_DIGEST_WEEKDAY);
  const batches: { digest: AlertDigest; upTo: Date }[] = [
    ...(what.immediate ? [{ digest: 'immediate' as const, upTo: now }] : []),
    { digest: 'daily', upTo: daily },
    { digest: 'weekly', upTo: weekly },
  ];
  const due: { digest: AlertDigest; items: UnsentNotification[] }[] = [];
  for (const b of batches) {
    const items = await listUnsentNotifications(deps.db, { digests: [b.digest], since: new Date(b.upTo.getTime() - EMAIL_WINDOW_MS), upTo: b.upTo });
    if (items.length) due.push({ digest: b.digest, items });
  }
  if (!due.length) return;
  const posts = await getAlertPosts(deps.db, [...new Set(due.flatMap((d) => d.items.map((n) => n.postId)))]);
  const titles = await getRuleTitles(deps.db, [...new Set([...posts.values()].flatMap((p) => (p.rulebookVersion ? [p.rulebookVersion] : [])))]);
  const mailer = createMailer(config);
  if (!mailer) return;
  let failuresInRow = 0;
  try {
    for (const { digest, items } of due) {
      const byUser = new Map<number, UnsentNotification[]>();
      for (const n of items) byUser.set(n.userId, [...(byUser.get(n.userId) ?? []), n]);
      for (const [userId, list] of byUser) {
        if (failuresInRow >= MAX_SEND_FAILURES || deps.signal?.aborted) return;
        const ids = await claimNotificationsForEmail(deps.db, list.map((n) => n.id), now);
        const mine = list.filter((n) => ids.includes(n.id));
        if (!mine.length) continue;
        const mail = composeAlertMail({ to: mine[0].email, digest, notifications: mine, posts, titles, publicUrl: config.MIZAN_PUBLIC_URL });
        const sent = await send(mailer, mail);
        if (sent === true) {
          counts.emails++;
          failuresInRow = 0;
        } else {
          await releaseNotificationsForEmail(deps.db, ids);
          counts.emailFailures++;
          failuresInRow++;
          const message = `e-mail (${digest}) to user ${userId} failed, retried at the next run: ${redactSmtp(sent, config.MIZAN_SMTP_URL)}`;
          deps.log(message);
          errors.push(message);
        }
      }
    }
  } finally {
    mailer.close();
  }
}

async function send(mailer: Mailer, mail: Mail): Promise<true | string> {
  try {
    await mailer.send(mail);
    return true;
  } catch (err) {
    return (err as Error).message || String(err);
  }
}

// ---- the message ----------------------------------------------------------------------------------------------------

const KIND_LABEL: Record<AlertKind, Bilingual> = {
  'critical-finding': { ar: 'مخالفة حرجة', en: 'Critical finding' },
  'deleted-after-flagged': { ar: 'حذف منشور بعد رصد مخالفة فيه', en: 'Flagged post deleted' },
};
const DIGEST_LABEL: Record<AlertDigest, Bilingual> = {
  immediate: { ar: 'تنبيهات ميزان', en: 'Mizan alerts' },
  daily: { ar: 'ملخص ميزان اليومي', en: 'Mizan daily digest' },
  weekly: { ar: 'ملخص ميزان الأسبوعي', en: 'Mizan weekly digest' },
  off: { ar: 'تنبيهات ميزان', en: 'Mizan alerts' },
};

/** Credentials stay out of e-mail and webhooks: a leaked password is shown by its first characters only. */
export function shownMatch(f: Pick<AlertFinding, 'category' | 'match'>): string {
  const m = f.match.replace(/\s+/g, ' ').trim();
  if (f.category !== 'infosec') return m.length > 80 ? `${m.slice(0, 80)}…` : m;
  return `${[...m].slice(0, 2).join('')}•••`;
}

/** The findings behind a notification: its rule's, or for a deletion every finding not dismissed. */
function findingsOf(n: Pick<UnsentNotification, 'ruleId'>, post: AlertPost | undefined): AlertFinding[] {
  return (post?.findings ?? []).filter((f) => n.ruleId === null || f.ruleId === n.ruleId);
}

interface AlertLine {
  kind: AlertKind;
  entity: Bilingual;
  rules: { id: string; title: Bilingual }[];
  matches: string[];
  link: string;
  source: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function composeAlertMail(input: {
  to: string;
  digest: AlertDigest;
  notifications: Pick<UnsentNotification, 'kind' | 'postId' | 'ruleId'>[];
  posts: Map<number, AlertPost>;
  titles: Map<string, Map<string, Bilingual>>;
  publicUrl: string;
}): Mail {
  const lines: AlertLine[] = input.notifications.map((n) => {
    const post = input.posts.get(n.postId);
    const findings = findingsOf(n, post);
    const ruleIds = n.ruleId ? [n.ruleId] : [...new Set(findings.map((f) => f.ruleId))];
    const titleOf = (id: string) => (post?.rulebookVersion && input.titles.get(post.rulebookVersion)?.get(id)) || { ar: id, en: id };
    return {
      kind: n.kind,
      entity: post ? { ar: post.entity.nameAr, en: post.entity.nameEn } : { ar: '—', en: '—' },
      rules: ruleIds.map((id) => ({ id, title: titleOf(id) })),
      matches: [...new Set(findings.map(shownMatch))].filter(Boolean),
      link: `${input.publicUrl}/posts/${n.postId}`,
      source: post ? `${post.platform} @${post.handle}` : '',
    };
  });
  const head = DIGEST_LABEL[input.digest];
  const single = lines.length === 1 ? lines[0] : null;
  const subject = single
    ? `${KIND_LABEL[single.kind].ar}: ${single.entity.ar} | Mizan: ${KIND_LABEL[single.kind].en}: ${single.entity.en}`
    : `${head.ar}: ${lines.length} | ${head.en}: ${lines.length}`;
  const t = {
    ar: { entity: 'الجهة', rule: 'القاعدة', matches: 'الكلمات المطابقة', post: 'المنشور', footer: 'تصلك هذه الرسائل حسب اختيارك في ميزان (قائمة الجرس): فورًا أو ملخص يومي أو أسبوعي أو إيقاف.' },
    en: { entity: 'Entity', rule: 'Rule', matches: 'Matched words', post: 'Post', footer: 'You get these e-mails as you chose in Mizan (the bell menu): immediately, a daily or weekly digest, or off.' },
  };
  const textPart = (lang: 'ar' | 'en') =>
    [
      `${head[lang]} (${lines.length})`,
      '',
      ...lines.flatMap((l) => [
        `• ${KIND_LABEL[l.kind][lang]}`,
        `  ${t[lang].entity}: ${l.entity[lang]}${l.source ? ` (${l.source})` : ''}`,
        ...(l.rules.length ? [`  ${t[lang].rule}: ${l.rules.map((r) => `${r.title[lang]} [${r.id}]`).join('، ')}`] : []),
        ...(l.matches.length ? [`  ${t[lang].matches}: ${l.matches.map((m) => (lang === 'ar' ? `«${m}»` : `"${m}"`)).join(', ')}`] : []),
        `  ${t[lang].post}: ${l.link}`,
        '',
      ]),
      t[lang].footer,
    ].join('\n');
  const htmlPart = (lang: 'ar' | 'en') =>
    `<div dir="${lang === 'ar' ? 'rtl' : 'ltr'}" lang="${lang}" style="font-family:sans-serif;margin-bottom:24px">` +
    `<h2 style="font-size:18px">${escapeHtml(head[lang])} (${lines.length})</h2><ul style="padding-inline-start:20px">` +
    lines
      .map(
        (l) =>
          `<li style="margin-bottom:12px"><strong>${escapeHtml(KIND_LABEL[l.kind][lang])}</strong><br>` +
          `${t[lang].entity}: ${escapeHtml(l.entity[lang])}${l.source ? ` <span dir="ltr">(${escapeHtml(l.source)})</span>` : ''}<br>` +
          (l.rules.length ? `${t[lang].rule}: ${l.rules.map((r) => `${escapeHtml(r.title[lang])} <code dir="ltr">${escapeHtml(r.id)}</code>`).join('، ')}<br>` : '') +
          (l.matches.length ? `${t[lang].matches}: ${l.matches.map((m) => `<mark><bdi>${escapeHtml(m)}</bdi></mark>`).join(', ')}<br>` : '') +
          `<a href="${escapeHtml(l.link)}">${t[lang].post} ${escapeHtml(l.link)}</a></li>`,
      )
      .join('') +
    `</ul><p style="color:#666;font-size:12px">${escapeHtml(t[lang].footer)}</p></div>`;
  return {
    to: input.to,
    subject,
    text: `${textPart('ar')}\n\n----------------------------------------\n\n${textPart('en')}\n`,
    html: `<!doctype html><html><head><meta charset="utf-8"></head><body>${htmlPart('ar')}<hr>${htmlPart('en')}</body></html>`,
  };
}

// ---- the webhook ----------------------------------------------------------------------------------------------------

/** The JSON body of a webhook delivery (one per alert: a post and a kind). */
export interface AlertWebhookBody {
  id: number;
  kind: AlertKind;
  createdAt: string;
  entity: AlertPost['entity'];
  post: { id: number; link: string; url: string | null; platform: string; handle: string; postedAt: string; deletedAt: string | null };
  rules: { id: string; title: Bilingual; severity: string | null; matches: string[] }[];
}

/** `sha256=` and the hex HMAC-SHA256 of `${timestamp}.${body}` keyed with the secret. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

async function deliverWebhooks(deps: AlertDeps, now: Date, counts: AlertCounts, errors: string[]) {
  const url = deps.config.MIZAN_ALERT_WEBHOOK_URL!;
  const secret = deps.config.MIZAN_ALERT_WEBHOOK_SECRET!;
  for (;;) {
    const due = await listDueWebhooks(deps.db, now, WEBHOOK_STALE_MS, 100);
    if (!due.length) return;
    const posts = await getAlertPosts(deps.db, due.map((d) => d.postId));
    const titles = await getRuleTitles(deps.db, [...new Set([...posts.values()].flatMap((p) => (p.rulebookVersion ? [p.rulebookVersion] : [])))]);
    for (const alert of due) {
      if (deps.signal?.aborted) return;
      if (!(await claimWebhook(deps.db, alert.id, now, WEBHOOK_STALE_MS))) continue;
      const post = posts.get(alert.postId);
      if (!post) {
        await finishWebhook(deps.db, alert.id, { ok: true, now });
        continue;
      }
      const body: AlertWebhookBody = {
        id: alert.id,
        kind: alert.kind,
        createdAt: alert.createdAt,
        entity: post.entity,
        post: { id: post.postId, link: `${deps.config.MIZAN_PUBLIC_URL}/posts/${post.postId}`, url: post.url, platform: post.platform, handle: post.handle, postedAt: post.postedAt, deletedAt: post.deletedAt },
        rules: alert.ruleIds.map((id) => {
          const found = post.findings.filter((f) => f.ruleId === id);
          const title = (post.rulebookVersion && titles.get(post.rulebookVersion)?.get(id)) || { ar: id, en: id };
          return { id, title, severity: found[0]?.severity ?? null, matches: [...new Set(found.map(shownMatch))] };
        }),
      };
      const raw = JSON.stringify(body);
      const timestamp = String(Math.floor(Date.now() / 1000));
      let failure: string | null = null;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Mizan-Alerts/1',
            'x-mizan-event': alert.kind,
            'x-mizan-delivery': String(alert.id),
            'x-mizan-timestamp': timestamp,
            'x-mizan-signature': webhookSignature(secret, timestamp, raw),
          },
          body: raw,
          redirect: 'manual',
          signal: deps.signal ? AbortSignal.any([deps.signal, AbortSignal.timeout(WEBHOOK_TIMEOUT_MS)]) : AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        });
        await res.body?.cancel().catch(() => {});
        if (!res.ok) failure = `HTTP ${res.status}`;
      } catch (err) {
        const e = err as Error & { cause?: { code?: string } };
        failure = e.name === 'TimeoutError' ? `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s` : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`;
      }
      if (failure === null) {
        await finishWebhook(deps.db, alert.id, { ok: true, now });
        counts.webhooks++;
        continue;
      }
      // The URL may carry a token of the receiver (in its path or query): it is not logged.
      failure = failure.split(url).join('<webhook URL>');
      const state = await finishWebhook(deps.db, alert.id, { ok: false, now, error: failure, maxAttempts: WEBHOOK_MAX_ATTEMPTS });
      counts.webhookFailures++;
      const message = `webhook of alert ${alert.id} failed (attempt ${alert.attempts + 1}${state === 'failed' ? ', given up' : ', retried at the next run'}): ${failure}`;
      deps.log(message);
      errors.push(message);
      // The receiver is probably down: the other alerts wait for the next run rather than each wait for a timeout.
      return;
    }
  }
}
