// Issue 7, registering accounts: `account add` / `account set-token` on the command line and
// POST /api/accounts, PUT/DELETE /api/accounts/:id/token. Tokens are stored encrypted and never returned.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDb, type DbHandle, type DbKind } from '../../db/client.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { testConfig } from '../../jobs/config.ts';
import { readAccountToken } from '../../jobs/secrets.ts';
import type { AccountDetail, ApiErrorBody } from '../../server/api-types.ts';
import { signedIn, type TestClient } from '../helpers/auth.ts';
import { createApp } from '../../server/app.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const KEY = randomBytes(32).toString('hex');
const TOKEN = 'EAAG-test-token-0123456789-abcdefghijklmnopqrstuvwxyz';

describe.each(BACKENDS)('account registration through the API on %s', (kind) => {
  let h: DbHandle;
  let app: TestClient;
  let keyless: TestClient;
  let entityId: number;

  const call = async <T>(target: TestClient, method: string, url: string, body?: unknown) => {
    const res = await target.request(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) as T };
  };
  const add = (body: unknown, target = app) => call<AccountDetail & ApiErrorBody>(target, 'POST', '/api/accounts', body);

  beforeAll(async () => {
    h = await testDb(kind);
    const config = testConfig({ MIZAN_WEB_DIR: '/nonexistent' });
    app = await signedIn(createApp({ db: h.db, dbKind: h.kind, config: { ...config, MIZAN_SECRET_KEY: KEY } }), h.db);
    keyless = await signedIn(createApp({ db: h.db, dbKind: h.kind, config: { ...config, MIZAN_SECRET_KEY: undefined } }), h.db);
    entityId = await upsertEntity(h.db, { slug: 'interior', nameAr: 'الداخلية', nameEn: 'Interior' });
    await upsertEntity(h.db, { slug: 'health', nameAr: 'الصحة', nameEn: 'Health' });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('each platform registers by entity slug or id: 201 with the account, connector = platform, no token', async () => {
    const cases = [
      [{ entity: 'interior', platform: 'x', handle: '@MOI_Bahrain' }, { handle: 'MOI_Bahrain', url: null, type: 'official' }],
      [{ entity: entityId, platform: 'facebook', handle: '104958162837', type: 'executive', displayName: 'Minister' }, { handle: '104958162837', type: 'executive', displayName: 'Minister' }],
      [{ entity: String(entityId), platform: 'instagram', handle: '17841400008460056' }, { handle: '17841400008460056' }],
      [{ entity: 'interior', platform: 'youtube', handle: 'UC_x5XG1OV2P6uZZ5FSM9Ttw' }, { handle: 'UC_x5XG1OV2P6uZZ5FSM9Ttw' }],
      [{ entity: 'interior', platform: 'mastodon', handle: '@news', url: 'https://mastodon.social/@news' }, { handle: 'news', url: 'https://mastodon.social' }],
      [{ entity: 'interior', platform: 'bluesky', handle: 'MOI.bsky.social' }, { handle: 'moi.bsky.social' }],
      [{ entity: 'interior', platform: 'rss', handle: 'moi-news', url: 'https://www.moi.gov.bh/ar/rss.xml', type: 'official' }, { url: 'https://www.moi.gov.bh/ar/rss.xml' }],
    ] as const;
    for (const [input, expected] of cases) {
      const r = await add(input);
      expect(r.status, r.text).toBe(201);
      expect(r.body).toMatchObject({ entityId, platform: input.platform, hasToken: false, active: true, posts: 0, ...expected });
      expect(r.body.entity.slug).toBe('interior');
      const row = await h.db.selectFrom('account').select(['connector', 'token_ciphertext']).where('id', '=', r.body.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ connector: input.platform, token_ciphertext: null });
    }
  });

  test('bad input: 400 in the one error shape naming each field; an unknown entity lists the known ones', async () => {
    const bad = async (body: unknown, field: string, message: RegExp) => {
      const r = await add(body);
      expect(r.status, r.text).toBe(400);
      expect(r.body.error.code).toBe('invalid-request');
      const details = r.body.error.details as { field: string; message: string }[];
      expect(details.find((d) => d.field === field)?.message ?? `no ${field} in ${JSON.stringify(details)}`).toMatch(message);
    };
    await bad({ entity: 'interior', platform: 'tiktok', handle: 'x' }, 'platform', /must be one of x, facebook, instagram, youtube, mastodon, bluesky, rss/);
    await bad({ entity: 'interior', platform: 'mastodon', handle: 'news2' }, 'url', /required for mastodon: the instance/);
    await bad({ entity: 'interior', platform: 'rss', handle: 'feed' }, 'url', /required for rss: the address of the RSS or Atom feed/);
    await bad({ entity: 'interior', platform: 'rss', handle: 'feed', url: 'ftp://example.com/feed' }, 'url', /http:\/\/ or https:\/\//);
    await bad({ entity: 'interior', platform: 'instagram', handle: '@moi_bahrain' }, 'handle', /Instagram professional account's user id/);
    await bad({ entity: 'interior', platform: 'youtube', handle: '@moi' }, 'handle', /channel id/);
    await bad({ entity: 'interior', platform: 'x', handle: 'way_too_long_for_x_names' }, 'handle', /1 to 15/);
    await bad({ entity: 'interior', platform: 'x', handle: 'abc\u202e' }, 'handle', /bidirectional/);
    await bad({ entity: 'interior', platform: 'x', handle: 'abc', type: 'minister' }, 'type', /official, executive, employee/);
    await bad({ entity: 'interior', platform: 'x', handle: 'abc', extra: 1 }, 'json', /extra/);
    await bad({ platform: 'x', handle: 'abc' }, 'entity', /entity id or slug/);
    await bad({ entity: 'nowhere', platform: 'x', handle: 'abc' }, 'entity', /no entity "nowhere"; known entities: health, interior/);
    await bad({ entity: 99999, platform: 'x', handle: 'abc' }, 'entity', /no entity "99999"/);
    const notJson = await add('{"entity": ');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('invalid-request');
  });

  test('an account already registered (case-insensitive on X) is a 409 naming it', async () => {
    const r = await add({ entity: 'health', platform: 'x', handle: 'moi_bahrain' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('account-exists');
    expect(r.body.error.message).toMatch(/the x account "MOI_Bahrain" is already registered \(account \d+, of another entity/);
  });

  test('a token is stored encrypted, only hasToken is returned, and never the token or its ciphertext', async () => {
    const created = await add({ entity: 'interior', platform: 'x', handle: 'with_token', token: `  ${TOKEN}\n` });
    expect(created.status, created.text).toBe(201);
    expect(created.body.hasToken).toBe(true);
    const id = created.body.id;
    const { token_ciphertext } = await h.db.selectFrom('account').select('token_ciphertext').where('id', '=', id).executeTakeFirstOrThrow();
    expect(token_ciphertext).toMatch(/^v1:[^:]+:[^:]+:[^:]+$/);
    expect(token_ciphertext).not.toContain(TOKEN);
    expect(await readAccountToken(h.db, id, KEY)).toBe(TOKEN);

    for (const url of [`/api/accounts/${id}`, `/api/accounts?entity=${entityId}`, '/api/accounts', `/api/entities/${entityId}`]) {
      const r = await call<unknown>(app, 'GET', url);
      expect(r.status, url).toBe(200);
      expect(r.text).not.toContain(TOKEN);
      expect(r.text).not.toContain(token_ciphertext!.split(':')[3]);
      expect(r.text).not.toContain('token_ciphertext');
    }
    expect(created.text).not.toContain(TOKEN);

    // The token only decrypts for its own account and with its key.
    await h.db.updateTable('account').set({ token_ciphertext }).where('handle', '=', 'MOI_Bahrain').execute();
    const other = await h.db.selectFrom('account').select('id').where('handle', '=', 'MOI_Bahrain').executeTakeFirstOrThrow();
    await expect(readAccountToken(h.db, other.id, KEY)).rejects.toThrow(/its token cannot be read.*set the token again/);
    await expect(readAccountToken(h.db, id, randomBytes(32))).rejects.toThrow(/does not decrypt with MIZAN_SECRET_KEY/);
    await expect(readAccountToken(h.db, id, undefined)).rejects.toThrow(/has a stored token but MIZAN_SECRET_KEY is not set/);
    expect(await readAccountToken(h.db, entityId + 100_000, KEY)).toBeNull();
    await h.db.updateTable('account').set({ token_ciphertext: null }).where('id', '=', other.id).execute();
  });

  test('PUT and DELETE /api/accounts/:id/token set and clear it; without MIZAN_SECRET_KEY storing is refused', async () => {
    const { body: acc } = await add({ entity: 'interior', platform: 'bluesky', handle: 'did:plc:abc123xyz' });
    const put = await call<AccountDetail>(app, 'PUT', `/api/accounts/${acc.id}/token`, { token: TOKEN });
    expect(put.status, put.text).toBe(200);
    expect(put.body.hasToken).toBe(true);
    expect(put.text).not.toContain(TOKEN);
    expect(await readAccountToken(h.db, acc.id, KEY)).toBe(TOKEN);
    // Registering and setting the token are audited, without the token.
    const audited = await h.db.selectFrom('audit_log').select(['action', 'after']).where('object_type', '=', 'account').where('object_id', '=', String(acc.id)).orderBy('id').execute();
    expect(audited.map((r) => r.action)).toEqual(['account.created', 'account.token-set']);
    expect(JSON.stringify(audited)).not.toContain(TOKEN);

    const refused = await call<ApiErrorBody>(keyless, 'PUT', `/api/accounts/${acc.id}/token`, { token: 'another' });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'secret-key-missing' });
    expect(refused.body.error.message).toMatch(/MIZAN_SECRET_KEY is not set: set it/);
    expect(await readAccountToken(h.db, acc.id, KEY)).toBe(TOKEN);

    // Registering with a token but no key registers nothing.
    const none = await add({ entity: 'interior', platform: 'x', handle: 'no_key_acct', token: TOKEN }, keyless);
    expect(none.status).toBe(422);
    expect(await h.db.selectFrom('account').select('id').where('handle', '=', 'no_key_acct').executeTakeFirst()).toBeUndefined();

    const empty = await call<ApiErrorBody>(app, 'PUT', `/api/accounts/${acc.id}/token`, { token: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/token: the token is empty/);

    const del = await call<AccountDetail>(keyless, 'DELETE', `/api/accounts/${acc.id}/token`);
    expect(del.status).toBe(200);
    expect(del.body.hasToken).toBe(false);
    expect(await readAccountToken(h.db, acc.id, KEY)).toBeNull();

    expect((await call<ApiErrorBody>(app, 'PUT', '/api/accounts/987654/token', { token: TOKEN })).status).toBe(404);
    expect((await call<ApiErrorBody>(app, 'DELETE', '/api/accounts/987654/token')).status).toBe(404);
    expect((await call<ApiErrorBody>(app, 'PUT', `/api/accounts/${acc.id}/token`, { secret: TOKEN })).status).toBe(400);
  });
});

// The fixed CLI contract: `account add ...` prints one JSON line {"id": N, ...} last; `account set-token` reads standard input.
describe.each(BACKENDS)('npm run cli -- account on %s', (kind: DbKind) => {
  let dir: string;
  let h: DbHandle & { url?: string };
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mizan-account-cli-'));
    env = { ...process.env, MIZAN_DATA_DIR: join(dir, 'data'), MIZAN_SECRET_KEY: KEY } as Record<string, string>;
    delete env.DATABASE_URL;
    if (kind === 'pglite') {
      h = await createDb({ dataDir: join(dir, 'data') });
      await migrateToLatest(h.db);
    } else {
      h = await testDb(kind);
      env.DATABASE_URL = h.url!;
    }
    await upsertEntity(h.db, { slug: 'cli-ministry', nameAr: 'وزارة', nameEn: 'Ministry' });
    if (kind === 'pglite') await h.close();
  });
  afterAll(async () => {
    if (kind !== 'pglite') await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: string[], input?: string, extraEnv: Record<string, string | undefined> = {}) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'jobs/cli.ts', ...args], { env: { ...env, ...extraEnv }, input, encoding: 'utf8', timeout: 60_000 });

  test('account add registers and prints {"id": N, ...} last; bad input exits 1 with a clear message; set-token reads stdin', async () => {
    const ok = cli(['account', 'add', '--entity', 'cli-ministry', '--platform', 'mastodon', '--handle', 'news', '--url', 'https://social.example.gov/', '--type', 'official', '--name', 'الأخبار']);
    expect(ok.status, ok.stderr).toBe(0);
    const last = JSON.parse(ok.stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ id: expect.any(Number), created: true, entity: 'cli-ministry', platform: 'mastodon', handle: 'news', url: 'https://social.example.gov', type: 'official', displayName: 'الأخبار', hasToken: false });

    const unknown = cli(['account', 'add', '--entity', 'nope', '--platform', 'rss', '--handle', 'feed']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/invalid account: --url: is required for rss/);

    const noEntity = cli(['account', 'add', '--entity', 'nope', '--platform', 'x', '--handle', 'someone']);
    expect(noEntity.status).toBe(1);
    expect(noEntity.stderr).toContain('no entity "nope"; known entities: cli-ministry');

    const set = cli(['account', 'set-token', '--account', String(last.id)], `${TOKEN}\n`);
    expect(set.status, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout.trim().split('\n').at(-1)!)).toEqual({ id: last.id, hasToken: true });
    expect(set.stdout + set.stderr).not.toContain(TOKEN);

    const refused = cli(['account', 'set-token', '--account', String(last.id)], 'other\n', { MIZAN_SECRET_KEY: '' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/MIZAN_SECRET_KEY is not set: set it/);

    const db = kind === 'pglite' ? await createDb({ dataDir: join(dir, 'data') }) : h;
    try {
      expect(await readAccountToken(db.db, last.id, KEY)).toBe(TOKEN);
      expect(await db.db.selectFrom('account').select(['connector', 'platform']).where('id', '=', last.id).executeTakeFirstOrThrow()).toEqual({ connector: 'mastodon', platform: 'mastodon' });
    } finally {
      if (kind === 'pglite') await db.close();
    }
  }, 300_000);
});
