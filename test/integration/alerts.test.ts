// Alerts end to end: posts imported and scored through the normal path, the alert job, a real SMTP server and a real
// webhook receiver on 127.0.0.1, the digest job, and the notifications API with its scoping.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { savePostsPage } from '../../db/queries/imports.ts';
import { updateUser } from '../../db/queries/users.ts';
import { lastDigestSlot, runAlerts, type AlertWebhookBody } from '../../jobs/alerts.ts';
import { testConfig, type Config } from '../../jobs/config.ts';
import type { ImportedPost } from '../../jobs/connectors/types.ts';
import { jobDefinitions } from '../../jobs/schedule.ts';
import { runScoring } from '../../jobs/score.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import type { NotificationList, NotificationSettings, NotificationsReadResponse } from '../../server/api-types.ts';
import { createApp } from '../../server/app.ts';
import { signedIn, type TestClient } from '../helpers/auth.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';
import { importedPost } from '../helpers/posts.ts';

const rulebook = loadRulebook();
// 12:00 in Bahrain; the digests go out at 07:00 Bahrain time (04:00 UTC).
const NOW = new Date('2026-11-20T09:00:00Z');
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const PASSWORD = 'كلمة المرور لشبكة الزوار: Pearl2027x';
const PASSWORD_2 = 'كلمة المرور لشبكة الموظفين: Dilmun2026q';
const PASSWORD_3 = 'كلمة المرور للحساب: Muharraq2025z';
const IBAN = 'للتحويل: الحساب BH67BMAG00001299123456 باسم الموظف';
const CLEAN = 'افتتاح مركز الخدمات الجديد في المحرق';
const SMTP_PASS = 's3cret-smtp-pass';
const HOOK_SECRET = 'whsec-test-0123456789';

const post = (id: string, text: string, deleted = false) => importedPost(id, text, { url: `https://x.com/alpha/status/${id}`, deleted });

// ---- a real SMTP server ---------------------------------------------------------------------------------------------

interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** Decodes RFC 2047 encoded words (adjacent ones joined byte-wise, so a character split across two survives). */
function decodeHeader(value: string): string {
  const unfolded = value.replace(/\r?\n[ \t]+/g, ' ');
  const re = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  let out = '';
  let bytes: Buffer[] = [];
  let last = 0;
  for (let m = re.exec(unfolded); m; m = re.exec(unfolded)) {
    const between = unfolded.slice(last, m.index);
    if (!/^\s*$/.test(between) || !bytes.length) {
      out += Buffer.concat(bytes).toString('utf8') + between;
      bytes = [];
    }
    bytes.push(
      m[2].toUpperCase() === 'B'
        ? Buffer.from(m[3], 'base64')
        : Buffer.from(m[3].replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1'),
    );
    last = m.index + m[0].length;
  }
  return out + Buffer.concat(bytes).toString('utf8') + unfolded.slice(last);
}

/** The decoded text/plain and text/html parts of a MIME message (base64 or quoted-printable). */
function parseMail(raw: string): Pick<ReceivedMail, 'subject' | 'text' | 'html'> {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const subject = decodeHeader(/^Subject: (.*(?:\r\n[ \t].*)*)/im.exec(raw.slice(0, headerEnd))?.[1] ?? '');
  const parts: Record<string, string> = {};
  for (const part of raw.split(/\r\n--[^\r\n]+/)) {
    const end = part.indexOf('\r\n\r\n');
    const head = part.slice(0, end);
    const type = /Content-Type: (text\/(?:plain|html))/i.exec(head)?.[1];
    if (!type) continue;
    const body = part.slice(end + 4);
    const encoding = /Content-Transfer-Encoding: (\S+)/i.exec(head)?.[1]?.toLowerCase();
    parts[type] =
      encoding === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
        : encoding === 'quoted-printable'
          ? Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')
          : body;
  }
  return { subject, text: parts['text/plain'] ?? '', html: parts['text/html'] ?? '' };
}

async function startSmtp() {
  const mails: ReceivedMail[] = [];
  const state = { refuse: false, auths: [] as string[] };
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, cb) {
      state.auths.push(auth.username ?? '');
      if (auth.username === 'mizan' && auth.password === SMTP_PASS) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onRcptTo(_address, _session, cb) {
      if (state.refuse) cb(Object.assign(new Error('Mailbox unavailable, try later'), { responseCode: 451 }));
      else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), ...parseMail(Buffer.concat(chunks).toString('latin1').replace(/\r?\n/g, '\r\n')) });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { mails, state, url: `smtp://mizan:${SMTP_PASS}@127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

// ---- a real webhook receiver ----------------------------------------------------------------------------------------

interface Delivery {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: AlertWebhookBody;
  verified: boolean;
}

async function startWebhook() {
  const deliveries: Delivery[] = [];
  const state = { status: 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const timestamp = String(req.headers['x-mizan-timestamp'] ?? '');
      const expected = Buffer.from(`sha256=${createHmac('sha256', HOOK_SECRET).update(`${timestamp}.${raw}`).digest('hex')}`);
      const got = Buffer.from(String(req.headers['x-mizan-signature'] ?? ''));
      const verified = /^\d{10}$/.test(timestamp) && got.length === expected.length && timingSafeEqual(got, expected);
      if (state.status === 200) deliveries.push({ headers: req.headers, raw, body: JSON.parse(raw) as AlertWebhookBody, verified });
      res.writeHead(state.status, { 'content-type': 'text/plain' }).end(state.status === 200 ? 'ok' : 'down');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { deliveries, state, url: `http://127.0.0.1:${port}/hooks/mizan`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe(lastDigestSlot.name, () => {
  test.each([
    ['2026-11-20T09:00:00Z', 'Asia/Bahrain', 7, undefined, '2026-11-20T04:00:00.000Z'],
    ['2026-11-20T03:59:00Z', 'Asia/Bahrain', 7, undefined, '2026-11-19T04:00:00.000Z'],
    ['2026-11-20T04:00:00Z', 'Asia/Bahrain', 7, undefined, '2026-11-20T04:00:00.000Z'],
    // 2026-11-20 is a Friday; the weekly digest on Sundays at 07:00.
    ['2026-11-20T09:00:00Z', 'Asia/Bahrain', 7, 0, '2026-11-15T04:00:00.000Z'],
    // A zone half an hour off UTC.
    ['2026-11-20T09:00:00Z', 'Asia/Kolkata', 7, undefined, '2026-11-20T01:30:00.000Z'],
  ])('at %s in %s, hour %i, weekday %s -> %s', (now, tz, hour, weekday, expected) => {
    expect(lastDigestSlot(new Date(now), tz, hour, weekday).toISOString()).toBe(expected);
  });
});

describe.each(BACKENDS)('alerts on %s', (kind) => {
  let h: DbHandle;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let hook: Awaited<ReturnType<typeof startWebhook>>;
  let config: Config;
  let alpha: number;
  let beta: number;
  let account: { id: number; entityId: number; timezone: string };
  let directorA: TestClient;
  let directorB: TestClient;
  let oversight: TestClient;
  let oversightDaily: TestClient;
  let admin: TestClient;
  let disabledOversight: TestClient;
  const logs: string[] = [];
  const alertDeps = () => ({ db: h.db, config, log: (m: string) => logs.push(m) });
  const jobDeps = () => ({ db: h.db, rulebook, connectors: {}, log: (m: string) => logs.push(m) });
  let page = 0;
  /** One import page of the alpha account, scored as the import job scores it. */
  const importPage = async (posts: ImportedPost[], when: Date) => {
    await savePostsPage(h.db, account, posts, page ? String(page) : null, String(page + 1), when);
    page++;
    await runScoring(jobDeps(), { now: when });
  };
  const postId = async (platformPostId: string) =>
    Number((await h.db.selectFrom('post').select('id').where('platform_post_id', '=', platformPostId).executeTakeFirstOrThrow()).id);
  const list = async (client: TestClient, query = '') => (await (await client.request(`/api/notifications${query}`)).json()) as NotificationList;

  beforeAll(async () => {
    h = await testDb(kind);
    smtp = await startSmtp();
    hook = await startWebhook();
    config = testConfig({
      MIZAN_WEB_DIR: '/nonexistent',
      MIZAN_TIMEZONE: 'Asia/Bahrain',
      MIZAN_PUBLIC_URL: 'https://mizan.example.gov.bh',
      MIZAN_SMTP_URL: smtp.url,
      MIZAN_MAIL_FROM: 'Mizan <alerts@mizan.example.gov.bh>',
      MIZAN_ALERT_DIGEST_HOUR: 7,
      MIZAN_ALERT_DIGEST_WEEKDAY: 0,
      MIZAN_ALERT_WEBHOOK_URL: hook.url,
      MIZAN_ALERT_WEBHOOK_SECRET: HOOK_SECRET,
    });
    alpha = await upsertEntity(h.db, { slug: 'alpha', nameAr: 'هيئة الألفا', nameEn: 'Alpha Authority' });
    beta = await upsertEntity(h.db, { slug: 'beta', nameAr: 'هيئة البيتا', nameEn: 'Beta Authority' });
    const accountId = await upsertAccount(h.db, { entityId: alpha, platform: 'x', connector: 'list', handle: 'alpha', type: 'official' });
    account = { id: accountId, entityId: alpha, timezone: 'Asia/Bahrain' };
    const app = createApp({ db: h.db, dbKind: h.kind, config, now: () => at(300) });
    const as = (role: 'director' | 'oversight' | 'admin', email: string, entityIds: number[] = []) => signedIn(app, h.db, { role, email, entityIds, now: at(300) });
    directorA = await as('director', 'director.a@alpha.gov.bh', [alpha]);
    directorB = await as('director', 'director.b@beta.gov.bh', [beta]);
    oversight = await as('oversight', 'oversight@csb.gov.bh');
    oversightDaily = await as('oversight', 'daily@csb.gov.bh');
    admin = await as('admin', 'admin@csb.gov.bh');
    disabledOversight = await as('oversight', 'gone@csb.gov.bh');
    await updateUser(h.db, oversightDaily.user.id, { alertDigest: 'daily' });
    await updateUser(h.db, disabledOversight.user.id, { disabled: true });
  });
  afterAll(async () => {
    await smtp?.close();
    await hook?.close();
    await h?.close();
  });

  test('a critical finding notifies the entity director and oversight: in the app, by e-mail and by the webhook', async () => {
    await importPage([post('pw', PASSWORD), post('iban', IBAN), post('clean', CLEAN)], NOW);
    const r = await runAlerts(alertDeps(), { now: NOW });
    // The IBAN is a high finding: flagged, but not critical.
    expect(r.errors).toEqual([]);
    expect(r.counts).toMatchObject({ alerts: 1, notifications: 3, emails: 2, emailFailures: 0, webhooks: 1, webhookFailures: 0 });
    const pw = await postId('pw');
    const rows = await h.db.selectFrom('notification').select(['user_id', 'kind', 'post_id', 'rule_id', 'entity_id']).orderBy('user_id').execute();
    expect(rows.map((n) => [n.user_id, n.kind, Number(n.post_id), n.rule_id, n.entity_id])).toEqual(
      [directorA, oversight, oversightDaily].map((u) => [u.user.id, 'critical-finding', pw, 'infosec.password', alpha]),
    );
    expect(rows.some((n) => n.user_id === disabledOversight.user.id || n.user_id === admin.user.id)).toBe(false);
    // Immediate users get a mail now; the daily one waits for the digest; the other entity's director, the admin
    // and the disabled user get nothing.
    expect(smtp.mails.map((m) => m.to).sort()).toEqual([['director.a@alpha.gov.bh'], ['oversight@csb.gov.bh']]);
    expect(smtp.state.auths.every((u) => u === 'mizan')).toBe(true);
    for (const mail of smtp.mails) {
      expect(mail.from).toBe('alerts@mizan.example.gov.bh');
      expect(mail.subject).toBe('مخالفة حرجة: هيئة الألفا | Mizan: Critical finding: Alpha Authority');
      expect(mail.text).toContain('الجهة: هيئة الألفا (x @alpha)');
      expect(mail.text).toContain('القاعدة: كلمة مرور مكشوفة [infosec.password]');
      expect(mail.text).toContain('Rule: Exposed password [infosec.password]');
      expect(mail.text).toContain(`https://mizan.example.gov.bh/posts/${pw}`);
      // A leaked password is not spread further by e-mail: its first characters only.
      expect(mail.text).toContain('«Pe•••»');
      expect(mail.text + mail.html).not.toContain('Pearl2027x');
      expect(mail.html).toContain('<div dir="rtl" lang="ar"');
      expect(mail.html).toContain('هيئة الألفا');
    }
    expect(hook.deliveries).toHaveLength(1);
    const d = hook.deliveries[0];
    expect(d.verified).toBe(true);
    expect(d.headers['x-mizan-event']).toBe('critical-finding');
    expect(d.body).toMatchObject({
      kind: 'critical-finding',
      entity: { id: alpha, slug: 'alpha', nameAr: 'هيئة الألفا', nameEn: 'Alpha Authority' },
      post: { id: pw, link: `https://mizan.example.gov.bh/posts/${pw}`, url: 'https://x.com/alpha/status/pw', platform: 'x', handle: 'alpha', deletedAt: null },
      rules: [{ id: 'infosec.password', title: { ar: 'كلمة مرور مكشوفة', en: 'Exposed password' }, severity: 'critical', matches: ['Pe•••'] }],
    });
    expect(d.headers['x-mizan-delivery']).toBe(String(d.body.id));
  });

  test('a second run sends nothing again', async () => {
    const r = await runAlerts(alertDeps(), { now: at(5) });
    expect(r.counts).toMatchObject({ alerts: 0, notifications: 0, emails: 0, webhooks: 0 });
    expect(smtp.mails).toHaveLength(2);
    expect(hook.deliveries).toHaveLength(1);
    expect(Number((await h.db.selectFrom('notification').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)).toBe(3);
  });

  test('a flagged post deleted later notifies once per post, with the matched words and the link', async () => {
    await importPage([post('pw', PASSWORD), post('iban', IBAN, true), post('clean', CLEAN, true)], at(10));
    const r = await runAlerts(alertDeps(), { now: at(10) });
    expect(r.counts).toMatchObject({ alerts: 1, notifications: 3, emails: 2, webhooks: 1 });
    const iban = await postId('iban');
    const mails = smtp.mails.slice(2);
    expect(mails.map((m) => m.to[0]).sort()).toEqual(['director.a@alpha.gov.bh', 'oversight@csb.gov.bh']);
    expect(mails[0].subject).toBe('حذف منشور بعد رصد مخالفة فيه: هيئة الألفا | Mizan: Flagged post deleted: Alpha Authority');
    expect(mails[0].text).toContain('الكلمات المطابقة: «BH67BMAG00001299123456»');
    expect(mails[0].text).toContain('Matched words: "BH67BMAG00001299123456"');
    expect(mails[0].text).toContain('Rule: Bank account number (IBAN) [personal_data.iban]');
    expect(mails[0].text).toContain(`https://mizan.example.gov.bh/posts/${iban}`);
    const d = hook.deliveries[1];
    expect(d.verified).toBe(true);
    expect(d.body).toMatchObject({ kind: 'deleted-after-flagged', post: { id: iban }, rules: [{ id: 'personal_data.iban', matches: ['BH67BMAG00001299123456'] }] });
    expect(d.body.post.deletedAt).not.toBeNull();
    // The clean post was never flagged: its deletion is no alert.
    expect(await runAlerts(alertDeps(), { now: at(15) })).toMatchObject({ counts: { alerts: 0, emails: 0, webhooks: 0 } });
  });

  test('a critical finding a reviewer dismissed before the job saw it is not notified', async () => {
    await importPage([post('pw2', PASSWORD_2)], at(20));
    const pw2 = await postId('pw2');
    await h.db.updateTable('finding').set({ status: 'dismissed' }).where('post_id', '=', pw2).execute();
    const r = await runAlerts(alertDeps(), { now: at(20) });
    expect(r.counts).toMatchObject({ alerts: 0, notifications: 0, emails: 0 });
    expect(await h.db.selectFrom('notification').select('id').where('post_id', '=', pw2).execute()).toEqual([]);
  });

  test('a failed e-mail or webhook is logged without secrets and retried at the next run', async () => {
    smtp.state.refuse = true;
    hook.state.status = 503;
    await importPage([post('pw3', PASSWORD_3)], at(30));
    const failed = await runAlerts(alertDeps(), { now: at(30) });
    expect(failed.counts).toMatchObject({ alerts: 1, notifications: 3, emails: 0, webhooks: 0, webhookFailures: 1 });
    expect(failed.counts.emailFailures).toBeGreaterThan(0);
    expect(failed.errors.some((e) => e.includes('webhook') && e.includes('HTTP 503'))).toBe(true);
    expect(failed.errors.some((e) => e.includes('e-mail (immediate)'))).toBe(true);
    for (const line of logs) {
      expect(line).not.toContain(SMTP_PASS);
      expect(line).not.toContain(HOOK_SECRET);
    }
    smtp.state.refuse = false;
    hook.state.status = 200;
    const retried = await runAlerts(alertDeps(), { now: at(35) });
    expect(retried.counts).toMatchObject({ alerts: 0, emails: 2, emailFailures: 0, webhooks: 1, webhookFailures: 0 });
    const pw3 = await postId('pw3');
    expect(hook.deliveries.at(-1)!.body.post.id).toBe(pw3);
    expect(hook.deliveries.at(-1)!.verified).toBe(true);
    expect(smtp.mails.slice(-2).every((m) => m.text.includes(`/posts/${pw3}`))).toBe(true);
  });

  test('a daily user gets nothing at once and one digest at the digest run', async () => {
    expect(smtp.mails.some((m) => m.to.includes('daily@csb.gov.bh'))).toBe(false);
    const digest = jobDefinitions(config).find((d) => d.job === 'alert-digest')!;
    // Before 07:00 the next morning the digest is not due.
    expect((await digest.run(jobDeps(), new Date('2026-11-21T03:00:00Z'), new Date('2026-11-21T03:00:00Z'))).counts).toMatchObject({ emails: 0 });
    const ran = await digest.run(jobDeps(), new Date('2026-11-21T04:00:00Z'), new Date('2026-11-21T04:00:00Z'));
    expect(ran).toMatchObject({ counts: { emails: 1, emailFailures: 0 }, error: null });
    const mail = smtp.mails.at(-1)!;
    expect(mail.to).toEqual(['daily@csb.gov.bh']);
    expect(mail.subject).toBe('ملخص ميزان اليومي: 3 | Mizan daily digest: 3');
    expect(mail.text).toContain('حذف منشور بعد رصد مخالفة فيه');
    expect(mail.text.match(/https:\/\/mizan\.example\.gov\.bh\/posts\/\d+/g)).toHaveLength(6);
    // Sent once: the next hour's run and the alert job find nothing more for it.
    expect((await digest.run(jobDeps(), new Date('2026-11-21T05:00:00Z'), new Date('2026-11-21T05:00:00Z'))).counts).toMatchObject({ emails: 0 });
    expect((await runAlerts(alertDeps(), { now: new Date('2026-11-21T05:05:00Z') })).counts).toMatchObject({ emails: 0 });
  });

  test('GET /api/notifications: the caller own, newest first, with the unread count and pages', async () => {
    const a = await list(directorA);
    expect(a.unread).toBe(3);
    expect(a.items.map((n) => n.kind)).toEqual(['critical-finding', 'deleted-after-flagged', 'critical-finding']);
    expect(a.items[0]).toMatchObject({
      entity: { id: alpha, nameAr: 'هيئة الألفا', nameEn: 'Alpha Authority' },
      post: { id: await postId('pw3'), deleted: false },
      rule: { id: 'infosec.password', title: { ar: 'كلمة مرور مكشوفة', en: 'Exposed password' }, severity: 'critical' },
      readAt: null,
    });
    expect(a.items[1]).toMatchObject({ rule: null, post: { id: await postId('iban'), deleted: true } });
    const first = await list(directorA, '?limit=2');
    expect(first.items).toHaveLength(2);
    const second = await list(directorA, `?limit=2&cursor=${first.nextCursor}`);
    expect([...first.items, ...second.items].map((n) => n.id)).toEqual(a.items.map((n) => n.id));
    expect(second.nextCursor).toBeNull();
    // Another entity's director, and an admin, have none.
    expect(await list(directorB)).toEqual({ items: [], unread: 0, nextCursor: null });
    expect((await list(admin)).items).toEqual([]);
    expect((await directorA.request('/api/notifications?limit=0')).status).toBe(400);
    expect((await directorA.request('/api/notifications?cursor=abc')).status).toBe(400);
  });

  test('POST /api/notifications/read marks only the caller own', async () => {
    const a = await list(directorA);
    const theirs = await list(oversight);
    const read = async (client: TestClient, body: unknown) => client.request('/api/notifications/read', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // Another user's ids are ignored.
    expect(await (await read(directorB, { ids: theirs.items.map((n) => n.id) })).json()).toEqual({ updated: 0, unread: 0 });
    expect(await (await read(directorA, { ids: [a.items[0].id] })).json()).toEqual({ updated: 1, unread: 2 } satisfies NotificationsReadResponse);
    expect((await list(directorA)).items[0].readAt).not.toBeNull();
    expect((await list(oversight)).unread).toBe(3);
    expect(await (await read(directorA, { all: true })).json()).toEqual({ updated: 2, unread: 0 });
    for (const bad of [{}, { ids: [] }, { ids: ['x'] }, { all: false }, { ids: [1], all: true }]) expect((await read(directorA, bad)).status).toBe(400);
  });

  test('GET and PUT /api/notifications/settings: the caller digest', async () => {
    const put = (body: unknown) => directorA.request('/api/notifications/settings', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(await (await directorA.request('/api/notifications/settings')).json()).toEqual({ alertDigest: 'immediate' } satisfies NotificationSettings);
    expect(await (await put({ alertDigest: 'weekly' })).json()).toEqual({ alertDigest: 'weekly' });
    expect(await (await directorA.request('/api/notifications/settings')).json()).toEqual({ alertDigest: 'weekly' });
    expect((await put({ alertDigest: 'hourly' })).status).toBe(400);
    expect((await put({ alertDigest: 'off', userId: oversight.user.id })).status).toBe(400);
    const audit = await h.db.selectFrom('audit_log').select(['action', 'actor_id', 'after']).where('action', '=', 'user.alert-digest').execute();
    expect(audit).toEqual([{ action: 'user.alert-digest', actor_id: directorA.user.id, after: { alertDigest: 'weekly' } }]);
  });

  test('a director no longer assigned to the entity no longer sees its notifications', async () => {
    await updateUser(h.db, directorA.user.id, { entityIds: [beta] });
    expect(await list(directorA)).toEqual({ items: [], unread: 0, nextCursor: null });
    await updateUser(h.db, directorA.user.id, { entityIds: [alpha] });
    expect((await list(directorA)).items).toHaveLength(3);
  });
});
