// Monthly reports e-mailed to each entity's recipients: the scheduled job, a real SMTP server on 127.0.0.1, the
// delivery record (one e-mail per entity and month, a failure retried by a later run), and the recipients' route.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { listReportDeliveries } from '../../db/queries/reports.ts';
import { testConfig, type Config } from '../../jobs/config.ts';
import { deliverMonthlyReports } from '../../jobs/reports/deliver.ts';
import { generateMonthlyReports, reportSettings } from '../../jobs/reports/generate.ts';
import { jobDefinitions } from '../../jobs/schedule.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import type { ReportRecipients, Scorecard } from '../../server/api-types.ts';
import { createApp } from '../../server/app.ts';
import { signedIn, type TestClient } from '../helpers/auth.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const rulebook = loadRulebook();
const NOW = new Date('2026-11-01T03:05:00Z');
// The report job's slot: the 1st at 06:00 in Bahrain, which reports on October.
const ROUND = new Date('2026-11-01T03:00:00Z');
const SMTP_PASS = 's3cret-report-pass';
const PUBLIC_URL = 'https://mizan.example.gov.bh';

interface Attachment {
  filename: string;
  content: Buffer;
}

interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  attachments: Attachment[];
}

/** Decodes RFC 2047 encoded words (adjacent ones joined byte-wise, so a character split across two survives). */
function decodeHeader(value: string): string {
  const unfolded = value.replace(/\r?\n[ \t]+/g, ' ');
  const re = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=\s*/g;
  const bytes: Buffer[] = [];
  let out = '';
  let last = 0;
  for (let m = re.exec(unfolded); m; m = re.exec(unfolded)) {
    out += unfolded.slice(last, m.index);
    bytes.push(
      m[2].toUpperCase() === 'B'
        ? Buffer.from(m[3], 'base64')
        : Buffer.from(m[3].replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1'),
    );
    last = m.index + m[0].length;
  }
  return out + Buffer.concat(bytes).toString('utf8') + unfolded.slice(last);
}

/** The subject, the decoded text/plain part and the attachments (name and bytes) of a MIME message. */
function parseMail(raw: string): Omit<ReceivedMail, 'to'> {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const subject = decodeHeader(/^Subject: (.*(?:\r\n[ \t].*)*)/im.exec(raw.slice(0, headerEnd))?.[1] ?? '');
  let text = '';
  const attachments: Attachment[] = [];
  for (const part of raw.split(/\r\n--[^\r\n]+/)) {
    const end = part.indexOf('\r\n\r\n');
    const head = part.slice(0, end).replace(/\r\n[ \t]+/g, ' ');
    const body = part.slice(end + 4);
    const decoded = /Content-Transfer-Encoding: base64/i.test(head) ? Buffer.from(body.replace(/\s+/g, ''), 'base64') : Buffer.from(body, 'latin1');
    const filename = /filename="?([^";\r\n]+)"?/i.exec(head)?.[1];
    if (filename && /Content-Disposition: attachment/i.test(head)) attachments.push({ filename, content: decoded });
    else if (/Content-Type: text\/plain/i.test(head)) text = decoded.toString('utf8');
  }
  return { subject, text, attachments };
}

async function startSmtp() {
  const mails: ReceivedMail[] = [];
  const state = { refuse: false };
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 50 * 1024 * 1024,
    onAuth(auth, _session, cb) {
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
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), ...parseMail(Buffer.concat(chunks).toString('latin1').replace(/\r?\n/g, '\r\n')) });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { mails, state, url: `smtp://mizan:${SMTP_PASS}@127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe.each(BACKENDS)('report delivery on %s', (kind) => {
  let h: DbHandle;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let config: Config;
  let app: ReturnType<typeof createApp>;
  let admin: TestClient;
  const ids = { alpha: 0, beta: 0, gamma: 0 };
  const logs: string[] = [];
  const jobDeps = () => ({ db: h.db, rulebook, connectors: {}, log: (m: string) => logs.push(m) });
  const reportJob = () => jobDefinitions(config).find((d) => d.job === 'report')!;
  const put = (who: TestClient, id: number, body: unknown) =>
    who.request(`/api/entities/${id}/report-recipients`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    h = await testDb(kind);
    smtp = await startSmtp();
    config = testConfig({ MIZAN_WEB_DIR: '/nonexistent', MIZAN_PUBLIC_URL: PUBLIC_URL, MIZAN_SMTP_URL: smtp.url, MIZAN_MAIL_FROM: 'Mizan <mizan@csb.test>' });
    ids.alpha = await upsertEntity(h.db, { slug: 'alpha', nameAr: 'هيئة ألفا', nameEn: 'Alpha Authority' });
    ids.beta = await upsertEntity(h.db, { slug: 'beta', nameAr: 'وزارة بيتا', nameEn: 'Beta Ministry' });
    ids.gamma = await upsertEntity(h.db, { slug: 'gamma', nameAr: 'مجلس جاما', nameEn: 'Gamma Council' });
    app = createApp({ db: h.db, dbKind: h.kind, config, now: () => NOW });
    admin = await signedIn(app, h.db, { role: 'admin', now: NOW });
  });

  afterAll(async () => {
    await smtp?.close();
    await h?.close();
  });

  test('PUT /api/entities/:id/report-recipients validates, is admin-only, is audited; the scorecard shows them to staff only', async () => {
    const bad = await put(admin, ids.alpha, { recipients: ['not-an-address'] });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('recipients.0');
    expect((await put(admin, ids.alpha, { recipients: Array.from({ length: 21 }, (_, i) => `p${i}@alpha.gov.bh`) })).status).toBe(400);
    expect((await put(admin, ids.alpha, {})).status).toBe(400);
    expect((await put(admin, 999_999, { recipients: [] })).status).toBe(404);
    const oversight = await signedIn(app, h.db, { role: 'oversight', now: NOW });
    const director = await signedIn(app, h.db, { role: 'director', entityIds: [ids.alpha], now: NOW });
    expect((await put(oversight, ids.alpha, { recipients: ['x@alpha.gov.bh'] })).status).toBe(403);
    expect((await put(director, ids.alpha, { recipients: ['x@alpha.gov.bh'] })).status).toBe(403);

    const ok = await put(admin, ids.alpha, { recipients: [' Head@Alpha.gov.bh ', 'media@alpha.gov.bh', 'head@alpha.gov.bh'] });
    expect(ok.status).toBe(200);
    expect((await ok.json()) as ReportRecipients).toEqual({ entityId: ids.alpha, recipients: ['head@alpha.gov.bh', 'media@alpha.gov.bh'] });
    expect((await put(admin, ids.beta, { recipients: ['pr@beta.gov.bh'] })).status).toBe(200);
    const audit = await h.db.selectFrom('audit_log').select(['action', 'object_id', 'after']).where('action', '=', 'entity.report-recipients').orderBy('id').execute();
    expect(audit.map((a) => [a.object_id, a.after])).toEqual([
      [String(ids.alpha), { recipients: ['head@alpha.gov.bh', 'media@alpha.gov.bh'] }],
      [String(ids.beta), { recipients: ['pr@beta.gov.bh'] }],
    ]);

    const scorecard = async (who: TestClient) => (await (await who.request(`/api/entities/${ids.alpha}?from=2026-10-01&to=2026-10-31`)).json()) as Scorecard;
    expect((await scorecard(admin)).reportRecipients).toEqual(['head@alpha.gov.bh', 'media@alpha.gov.bh']);
    expect((await scorecard(oversight)).reportRecipients).toEqual(['head@alpha.gov.bh', 'media@alpha.gov.bh']);
    const seen = await scorecard(director);
    expect(seen.entity.id).toBe(ids.alpha);
    expect(seen).not.toHaveProperty('reportRecipients');
    const viewer = await signedIn(app, h.db, { role: 'viewer', entityIds: [ids.alpha], now: NOW });
    expect(await scorecard(viewer)).not.toHaveProperty('reportRecipients');
  });

  test('without MIZAN_SMTP_URL nothing is sent nor recorded', async () => {
    const r = await deliverMonthlyReports({ db: h.db, config: { ...config, MIZAN_SMTP_URL: undefined }, log: () => {} }, { month: '2026-10', now: NOW });
    expect(r).toEqual({ counts: { reportEmails: 0, reportEmailFailures: 0 }, errors: [] });
    expect(await listReportDeliveries(h.db)).toEqual([]);
  });

  test('the scheduled job e-mails each entity with recipients once, its PDF and XLSX in both languages attached', async () => {
    const first = await reportJob().run(jobDeps(), NOW, ROUND);
    expect(first.error).toBeNull();
    expect(first.counts).toMatchObject({ failed: 0, reportEmails: 2, reportEmailFailures: 0 });
    expect(smtp.mails).toHaveLength(2);
    const byTo = new Map(smtp.mails.map((m) => [m.to.join(','), m]));
    const alpha = byTo.get('head@alpha.gov.bh,media@alpha.gov.bh')!;
    const beta = byTo.get('pr@beta.gov.bh')!;
    expect(alpha.attachments.map((a) => a.filename)).toEqual(['mizan-2026-10-alpha-ar.pdf', 'mizan-2026-10-alpha-ar.xlsx', 'mizan-2026-10-alpha-en.pdf', 'mizan-2026-10-alpha-en.xlsx']);
    expect(beta.attachments.map((a) => a.filename)).toEqual(['mizan-2026-10-beta-ar.pdf', 'mizan-2026-10-beta-ar.xlsx', 'mizan-2026-10-beta-en.pdf', 'mizan-2026-10-beta-en.xlsx']);
    for (const a of alpha.attachments) expect(a.content.subarray(0, 4).toString('latin1')).toBe(a.filename.endsWith('.pdf') ? '%PDF' : 'PK\u0003\u0004');
    // The attachment is the archived report, byte for byte.
    const stored = await h.db.selectFrom('report').select('content').where('entity_id', '=', ids.alpha).where('month', '=', '2026-10').where('lang', '=', 'en').where('format', '=', 'pdf').executeTakeFirstOrThrow();
    expect(Buffer.compare(alpha.attachments[2].content, Buffer.from(stored.content))).toBe(0);
    expect(alpha.subject).toBe('تقرير ميزان الشهري: هيئة ألفا — أكتوبر 2026 | Mizan monthly report: Alpha Authority — October 2026');
    expect(alpha.text).toContain(`${PUBLIC_URL}/reports`);
    expect(alpha.text).toContain('Attached is the report of Alpha Authority for October 2026');
    const deliveries = await listReportDeliveries(h.db, { month: '2026-10' });
    expect(deliveries.map((d) => [d.entityId, d.recipients, d.reportIds.length, d.sentAt !== null, d.error])).toEqual([
      [ids.alpha, ['head@alpha.gov.bh', 'media@alpha.gov.bh'], 4, true, null],
      [ids.beta, ['pr@beta.gov.bh'], 4, true, null],
    ]);

    // A second run of the job archives nothing new and sends nothing.
    const second = await reportJob().run(jobDeps(), NOW, ROUND);
    expect(second.counts).toMatchObject({ created: 0, reportEmails: 0, reportEmailFailures: 0 });
    expect(smtp.mails).toHaveLength(2);
  }, 240_000);

  test('a refused send is recorded without secrets and delivered by a later run; on-demand generation sends nothing', async () => {
    // September's reports, generated on demand (XLSX only): nothing is e-mailed.
    const generated = await generateMonthlyReports(h.db, reportSettings(config), { month: '2026-09', formats: ['xlsx', 'csv'], trigger: 'api', now: NOW });
    expect(generated.counts.failed).toBe(0);
    expect(smtp.mails).toHaveLength(2);

    smtp.state.refuse = true;
    const failed = await deliverMonthlyReports({ db: h.db, config, log: (m) => logs.push(m) }, { month: '2026-09', now: NOW });
    expect(failed.counts).toEqual({ reportEmails: 0, reportEmailFailures: 2 });
    expect(failed.errors.join('\n')).toContain('Mailbox unavailable');
    expect(smtp.mails).toHaveLength(2);
    const recorded = await listReportDeliveries(h.db, { month: '2026-09' });
    expect(recorded.map((d) => [d.entityId, d.sentAt, d.attempts])).toEqual([
      [ids.alpha, null, 1],
      [ids.beta, null, 1],
    ]);
    expect(recorded.every((d) => d.error?.includes('Mailbox unavailable'))).toBe(true);
    for (const text of [...logs, ...failed.errors, ...recorded.map((d) => d.error!)]) expect(text).not.toContain(SMTP_PASS);

    // The next run of the job (October again) retries September's e-mails; October's were sent already.
    smtp.state.refuse = false;
    const later = await reportJob().run(jobDeps(), NOW, ROUND);
    expect(later.error).toBeNull();
    expect(later.counts).toMatchObject({ reportEmails: 2, reportEmailFailures: 0 });
    expect(smtp.mails).toHaveLength(4);
    const september = smtp.mails.slice(2);
    expect(september.map((m) => m.attachments.map((a) => a.filename)).sort()).toEqual([
      ['mizan-2026-09-alpha-ar.xlsx', 'mizan-2026-09-alpha-en.xlsx'],
      ['mizan-2026-09-beta-ar.xlsx', 'mizan-2026-09-beta-en.xlsx'],
    ]);
    const delivered = await listReportDeliveries(h.db, { month: '2026-09' });
    expect(delivered.map((d) => [d.entityId, d.sentAt !== null, d.error, d.attempts])).toEqual([
      [ids.alpha, true, null, 2],
      [ids.beta, true, null, 2],
    ]);
    // Gamma has no recipients: never an e-mail nor a record.
    expect((await listReportDeliveries(h.db)).some((d) => d.entityId === ids.gamma)).toBe(false);
    expect(smtp.mails.some((m) => m.attachments.some((a) => a.filename.includes('gamma')))).toBe(false);
  }, 120_000);
});
