// Sign-in through a directory (OpenID Connect) against a fake provider on 127.0.0.1, driven as a browser would:
// redirects followed by hand, cookies carried by hand, the app on a real port.
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { listAudit } from '../../db/queries/audit.ts';
import { getUserByOidcSubject, insertUser, updateUser, type UserView } from '../../db/queries/users.ts';
import { ConfigError, loadConfig, testConfig, type Config } from '../../jobs/config.ts';
import { createApp } from '../../server/app.ts';
import { startOidcProvider, type FakeOidcProvider } from '../fakes/oidc-provider.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

interface Hop {
  status: number;
  location: string | null;
  cookies: Record<string, { value: string; attributes: string }>;
}

async function get(url: string, cookies: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Hop> {
  const cookie = Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(url, { redirect: 'manual', headers: { ...headers, ...(cookie ? { cookie } : {}) } });
  await res.arrayBuffer();
  const set: Hop['cookies'] = {};
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    set[pair.slice(0, eq).trim()] = { value: pair.slice(eq + 1), attributes: attrs.join(';') };
  }
  return { status: res.status, location: res.headers.get('location'), cookies: set };
}

/** An app served on a free port whose public URL is its own address (the redirect URI must point back to it). */
async function serveApp(h: DbHandle, overrides: (publicUrl: string) => Partial<Config>) {
  let app: ReturnType<typeof createApp> | null = null;
  const server: ServerType = serve({ fetch: (req, env) => app!.fetch(req, env), port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((ok) => server.once('listening', () => ok()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = testConfig({ MIZAN_WEB_DIR: '/nonexistent', MIZAN_PUBLIC_URL: url, ...overrides(url) });
  app = createApp({ db: h.db, dbKind: h.kind, config });
  return {
    url,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      }),
  };
}

describe.each(BACKENDS)('OpenID Connect sign-in on %s', (kind) => {
  let h: DbHandle;
  let provider: FakeOidcProvider;
  let mizan: Awaited<ReturnType<typeof serveApp>>;
  let known: UserView;

  /** The browser's trip: Mizan's start, the provider's authorize, Mizan's callback (optionally with the query altered). */
  async function signIn(opts: { alterCallback?: (u: URL) => void; cookies?: Record<string, string>; dropTransaction?: boolean } = {}) {
    const start = await get(`${mizan.url}/auth/oidc/start`);
    expect(start.status).toBe(302);
    expect(start.location).toMatch(new RegExp(`^${provider.issuer}/authorize\\?`));
    const tx = start.cookies.mizan_oidc;
    expect(tx).toBeDefined();
    const authorize = await get(start.location!);
    expect(authorize.status).toBe(302);
    const callback = new URL(authorize.location!);
    opts.alterCallback?.(callback);
    const cookies = { ...opts.cookies, ...(opts.dropTransaction ? {} : { mizan_oidc: tx.value }) };
    const done = await get(callback.href, cookies);
    return { start, callback, done, session: done.cookies.mizan_session?.value || null };
  }

  const me = async (session: string) => {
    const res = await fetch(`${mizan.url}/api/auth/me`, { headers: { cookie: `mizan_session=${session}` } });
    return { status: res.status, body: (await res.json()) as { user: UserView } };
  };
  const lastAudit = async (action: string) => (await listAudit(h.db, { action, limit: 1 }))[0];

  beforeAll(async () => {
    h = await testDb(kind);
    provider = await startOidcProvider();
    mizan = await serveApp(h, () => ({ MIZAN_OIDC_ISSUER: provider.issuer, MIZAN_OIDC_CLIENT_ID: provider.clientId, MIZAN_OIDC_CLIENT_SECRET: provider.clientSecret, MIZAN_OIDC_LABEL: 'Bahrain directory' }));
    known = await insertUser(h.db, { email: 'Fatima.Ali@gov.test', role: 'oversight', passwordHash: null });
  });
  afterAll(async () => {
    await mizan?.close();
    await provider?.close();
    await h?.close();
  });
  beforeEach(() => {
    provider.person = { sub: 'entra-oid-1', email: 'fatima.ali@gov.test', email_verified: true };
    provider.emailInUserInfo = null;
    provider.tamper = null;
  });

  test('GET /api/auth/login offers the directory with its label and start path', async () => {
    const res = await fetch(`${mizan.url}/api/auth/login`);
    expect(await res.json()).toEqual({ password: true, oidc: { label: 'Bahrain directory', start: '/auth/oidc/start' } });
  });

  test('an existing user signs in by e-mail: session cookie, /api/auth/me, subject linked, audited', async () => {
    const { start, done, session } = await signIn();
    // The request to the provider: code flow with PKCE (S256), state and nonce, our callback as redirect URI.
    const q = provider.authorizeRequests[0];
    expect(Object.fromEntries(q)).toMatchObject({ response_type: 'code', client_id: provider.clientId, redirect_uri: `${mizan.url}/auth/oidc/callback`, code_challenge_method: 'S256', scope: 'openid email profile' });
    expect(q.get('state')).toMatch(/^\S{20,}$/);
    expect(q.get('nonce')).toMatch(/^\S{20,}$/);
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    // The transaction cookie: HttpOnly, Lax (it must survive the provider's top-level redirect back), short-lived, signed.
    expect(start.cookies.mizan_oidc.attributes).toMatch(/HttpOnly/i);
    expect(start.cookies.mizan_oidc.attributes).toMatch(/SameSite=Lax/i);
    expect(start.cookies.mizan_oidc.attributes).toMatch(/Max-Age=600/i);
    expect(decodeURIComponent(start.cookies.mizan_oidc.value)).toMatch(/^\{.*"state":"[^"]+".*\}\.[A-Za-z0-9+/]{43}=$/);

    expect(done.status).toBe(302);
    expect(done.location).toBe('/');
    expect(done.cookies.mizan_session.attributes).toMatch(/HttpOnly/i);
    expect(done.cookies.mizan_session.attributes).toMatch(/SameSite=Strict/i);
    expect(done.cookies.mizan_oidc.attributes).toMatch(/Max-Age=0/i);
    const who = await me(session!);
    expect(who.status).toBe(200);
    expect(who.body.user).toMatchObject({ id: known.id, email: 'Fatima.Ali@gov.test', role: 'oversight', oidc: true });
    expect((await getUserByOidcSubject(h.db, 'entra-oid-1'))?.id).toBe(known.id);
    expect(await lastAudit('auth.login')).toMatchObject({ actorId: known.id, after: { method: 'oidc', linkedSubject: 'entra-oid-1' } });
  });

  test('the next sign-in finds the user by subject (even after an e-mail change) and rotates the session', async () => {
    const first = await signIn();
    provider.person = { sub: 'entra-oid-1', email: 'f.ali@renamed.gov.test', email_verified: false };
    const second = await signIn({ cookies: { mizan_session: first.session! } });
    expect(second.done.location).toBe('/');
    expect(second.session).not.toBe(first.session);
    expect((await me(second.session!)).body.user.id).toBe(known.id);
    // The browser's previous session ended at sign-in.
    expect((await me(first.session!)).status).toBe(401);
    expect(await lastAudit('auth.login')).toMatchObject({ actorId: known.id, after: { method: 'oidc' } });
  });

  test('the discovery document is fetched once and kept', async () => {
    const before = provider.discoveryCount;
    await signIn();
    await signIn();
    expect(before).toBe(1);
    expect(provider.discoveryCount).toBe(1);
  });

  test('the e-mail is read from /userinfo when the ID token has none', async () => {
    await insertUser(h.db, { email: 'userinfo@gov.test', role: 'viewer', passwordHash: null });
    provider.person = { sub: 'entra-oid-userinfo', email: null };
    provider.emailInUserInfo = 'userinfo@gov.test';
    const { done, session } = await signIn();
    expect(done.location).toBe('/');
    expect((await me(session!)).body.user.email).toBe('userinfo@gov.test');
  });

  test('an unknown person is refused: no user is created', async () => {
    provider.person = { sub: 'entra-oid-stranger', email: 'stranger@gov.test', email_verified: true };
    const { done, session } = await signIn();
    expect(done.location).toBe('/?signin-error=oidc-unknown-user');
    expect(session).toBeNull();
    expect(await getUserByOidcSubject(h.db, 'entra-oid-stranger')).toBeNull();
    expect(await lastAudit('auth.login-failed')).toMatchObject({ actorEmail: 'stranger@gov.test', after: { method: 'oidc', reason: 'unknown e-mail', code: 'oidc-unknown-user', subject: 'entra-oid-stranger' } });
  });

  test('an e-mail the provider marks unverified does not link an account', async () => {
    const other = await insertUser(h.db, { email: 'unverified@gov.test', role: 'viewer', passwordHash: null });
    provider.person = { sub: 'entra-oid-unverified', email: 'unverified@gov.test', email_verified: false };
    const { done, session } = await signIn();
    expect(done.location).toBe('/?signin-error=oidc-unknown-user');
    expect(session).toBeNull();
    expect(await getUserByOidcSubject(h.db, 'entra-oid-unverified')).toBeNull();
    expect(other.oidc).toBe(false);
  });

  test('a user already linked to another directory account is not taken over through the e-mail', async () => {
    await signIn(); // links entra-oid-1, if an earlier test did not
    provider.person = { sub: 'entra-oid-impostor', email: 'fatima.ali@gov.test', email_verified: true };
    const { done } = await signIn();
    expect(done.location).toBe('/?signin-error=oidc-unknown-user');
  });

  test('a disabled user is refused', async () => {
    const off = await insertUser(h.db, { email: 'disabled@gov.test', role: 'viewer', passwordHash: null });
    await updateUser(h.db, off.id, { disabled: true });
    provider.person = { sub: 'entra-oid-disabled', email: 'disabled@gov.test', email_verified: true };
    const { done, session } = await signIn();
    expect(done.location).toBe('/?signin-error=oidc-disabled');
    expect(session).toBeNull();
    expect(await lastAudit('auth.login-failed')).toMatchObject({ after: { method: 'oidc', code: 'oidc-disabled' } });
  });

  test('a callback whose state is not the one sent is refused', async () => {
    const { done, session } = await signIn({ alterCallback: (u) => u.searchParams.set('state', 'forged-state-value') });
    expect(done.location).toBe('/?signin-error=oidc-failed');
    expect(session).toBeNull();
    expect(await lastAudit('auth.login-failed')).toMatchObject({ after: { method: 'oidc', code: 'oidc-failed' } });
  });

  test('a callback without the transaction cookie (another browser, or expired) is refused', async () => {
    const { done, session } = await signIn({ dropTransaction: true });
    expect(done.location).toBe('/?signin-error=oidc-expired');
    expect(session).toBeNull();
  });

  test('a transaction cookie altered by the browser is refused', async () => {
    const start = await get(`${mizan.url}/auth/oidc/start`);
    const authorize = await get(start.location!);
    const forged = start.cookies.mizan_oidc.value.replace(/.(?=[^.]*$)/, (ch) => (ch === 'A' ? 'B' : 'A'));
    const done = await get(authorize.location!, { mizan_oidc: forged });
    expect(done.location).toBe('/?signin-error=oidc-expired');
  });

  test.each([
    ['signature', 'signed by another key'],
    ['nonce', 'a nonce that was not sent'],
    ['audience', 'issued for another client'],
    ['expired', 'expired'],
  ] as const)('an ID token %s (%s) is refused', async (tamper, _what) => {
    provider.tamper = tamper;
    const { done, session } = await signIn();
    expect(done.location).toBe('/?signin-error=oidc-failed');
    expect(session).toBeNull();
  });

  test('the provider refusing at its own page is reported as denied', async () => {
    const { done } = await signIn({
      alterCallback: (u) => {
        u.searchParams.delete('code');
        u.searchParams.set('error', 'access_denied');
      },
    });
    expect(done.location).toBe('/?signin-error=oidc-denied');
  });
});

describe('OpenID Connect off, or its provider down', () => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await testDb('pglite');
  });
  afterAll(async () => {
    await h?.close();
  });

  test('without an issuer the sign-in page offers no directory and the routes are not there', async () => {
    const app = createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }) });
    expect(await (await app.request('/api/auth/login')).json()).toEqual({ password: true, oidc: null });
    const start = await app.request('/auth/oidc/start');
    expect(start.status).toBe(404);
    expect(((await start.json()) as { error: { code: string } }).error.code).toBe('not-found');
  });

  test('a provider that does not answer gives a clear sign-in error, not a 500', async () => {
    // A port that was free a moment ago: nothing listens there.
    const gone = await startOidcProvider();
    await gone.close();
    const mizan = await serveApp(h, () => ({ MIZAN_OIDC_ISSUER: gone.issuer, MIZAN_OIDC_CLIENT_ID: 'mizan-test' }));
    try {
      const start = await get(`${mizan.url}/auth/oidc/start`);
      expect(start.status).toBe(302);
      expect(start.location).toBe('/?signin-error=oidc-unavailable');
      expect(start.cookies.mizan_oidc).toBeUndefined();
    } finally {
      await mizan.close();
    }
  });
  test('over HTTPS (behind a trusted proxy) the cookies are Secure and the transaction cookie is __Host- prefixed', async () => {
    const provider = await startOidcProvider({ person: { sub: 'https-sub', email: 'https@gov.test', email_verified: true } });
    await insertUser(h.db, { email: 'https@gov.test', role: 'viewer', passwordHash: null });
    const mizan = await serveApp(h, () => ({ MIZAN_TRUST_PROXY: true, MIZAN_OIDC_ISSUER: provider.issuer, MIZAN_OIDC_CLIENT_ID: provider.clientId, MIZAN_OIDC_CLIENT_SECRET: provider.clientSecret }));
    const https = { 'x-forwarded-proto': 'https' };
    try {
      const start = await get(`${mizan.url}/auth/oidc/start`, {}, https);
      const tx = start.cookies['__Host-mizan_oidc'];
      expect(tx.attributes).toMatch(/;\s*Secure/i);
      expect(tx.attributes).toMatch(/Path=\//);
      const authorize = await get(start.location!);
      // The same cookie without its prefix (a sibling site could set that one) is not accepted.
      expect((await get(authorize.location!, { mizan_oidc: tx.value }, https)).location).toBe('/?signin-error=oidc-expired');
      const again = await get(`${mizan.url}/auth/oidc/start`, {}, https);
      const done = await get((await get(again.location!)).location!, { '__Host-mizan_oidc': again.cookies['__Host-mizan_oidc'].value }, https);
      expect(done.location).toBe('/');
      expect(done.cookies.mizan_session.attributes).toMatch(/;\s*Secure/i);
    } finally {
      await mizan.close();
      await provider.close();
    }
  });
});

describe('OpenID Connect settings', () => {
  const env = { MIZAN_OIDC_ISSUER: 'https://login.microsoftonline.com/tenant-id/v2.0', MIZAN_OIDC_CLIENT_ID: 'client', MIZAN_OIDC_CLIENT_SECRET: 'secret' };

  test('a complete set turns it on; the issuer is kept exactly, label defaulted', () => {
    const c = loadConfig({ ...env, MIZAN_OIDC_ISSUER: 'https://tenant.example.auth0.com/' });
    expect(c).toMatchObject({ MIZAN_OIDC_ISSUER: 'https://tenant.example.auth0.com/', MIZAN_OIDC_CLIENT_ID: 'client', MIZAN_OIDC_CLIENT_SECRET: 'secret', MIZAN_OIDC_LABEL: 'Government directory' });
    expect(loadConfig({}).MIZAN_OIDC_ISSUER).toBeUndefined();
    expect(loadConfig({ MIZAN_OIDC_ISSUER: '' }).MIZAN_OIDC_ISSUER).toBeUndefined();
  });

  test.each([
    [{ MIZAN_OIDC_ISSUER: env.MIZAN_OIDC_ISSUER }, /MIZAN_OIDC_CLIENT_ID: is required when MIZAN_OIDC_ISSUER is set/],
    [{ MIZAN_OIDC_CLIENT_ID: 'client' }, /MIZAN_OIDC_ISSUER: is required/],
    [{ ...env, MIZAN_OIDC_ISSUER: 'http://login.example.gov/' }, /MIZAN_OIDC_ISSUER: must be an https:\/\/ URL/],
    [{ ...env, MIZAN_OIDC_ISSUER: 'not a url' }, /MIZAN_OIDC_ISSUER: must be the issuer URL/],
    [{ ...env, MIZAN_OIDC_ISSUER: 'https://login.example.gov/?x=1' }, /MIZAN_OIDC_ISSUER: must be the issuer URL/],
  ])('%j is a configuration error', (vars, message) => {
    expect(() => loadConfig(vars)).toThrow(ConfigError);
    expect(() => loadConfig(vars)).toThrow(message);
  });

  test('http:// is accepted only for a provider on loopback', () => {
    expect(loadConfig({ ...env, MIZAN_OIDC_ISSUER: 'http://127.0.0.1:4000' }).MIZAN_OIDC_ISSUER).toBe('http://127.0.0.1:4000');
    expect(loadConfig({ ...env, MIZAN_OIDC_ISSUER: 'http://localhost:4000/realms/x' }).MIZAN_OIDC_ISSUER).toBe('http://localhost:4000/realms/x');
    expect(() => loadConfig({ ...env, MIZAN_OIDC_ISSUER: 'http://127.0.0.1.evil.example' })).toThrow(ConfigError);
  });
});
