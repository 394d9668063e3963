// A fake OpenID Connect provider on 127.0.0.1: discovery, JWKS (an RSA key made here), /authorize that approves at
// once for the configured person, /token that checks the client, the code and PKCE and signs an RS256 ID token,
// and /userinfo. `tamper` spoils the next ID token to show that the client refuses it.
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { Hono } from 'hono';
import { serve, type Served } from './serve.ts';

export interface DirectoryPerson {
  sub: string;
  /** Left out of the ID token when null (then only /userinfo has it, when `emailInUserInfo`). */
  email: string | null;
  /** Left out of the ID token when undefined. */
  email_verified?: boolean;
  name?: string;
}

export type Tamper = 'signature' | 'nonce' | 'audience' | 'expired' | null;

export interface FakeOidcProvider extends Served {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The person /authorize signs in. */
  person: DirectoryPerson;
  /** The e-mail /userinfo answers with (when the ID token has none). */
  emailInUserInfo: string | null;
  /** Spoils the next ID token (then resets). */
  tamper: Tamper;
  /** What /authorize received, last first. */
  authorizeRequests: URLSearchParams[];
  /** How often the discovery document was fetched. */
  discoveryCount: number;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function signJwt(payload: Record<string, unknown>, key: KeyObject, kid: string): string {
  const input = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(sign('sha256', Buffer.from(input), key))}`;
}

export async function startOidcProvider(opts: { clientId?: string; clientSecret?: string; person?: DirectoryPerson } = {}): Promise<FakeOidcProvider> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { privateKey: strangerKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(6).toString('hex');
  const jwk = { ...createPublicKey(privateKey).export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { clientId: string; redirectUri: string; challenge: string; nonce: string | null; person: DirectoryPerson }>();
  const accessTokens = new Map<string, DirectoryPerson>();

  const app = new Hono();
  const state = {
    issuer: '',
    clientId: opts.clientId ?? 'mizan-test',
    clientSecret: opts.clientSecret ?? 'fake-client-secret',
    person: opts.person ?? { sub: 'sub-1', email: 'someone@gov.test', email_verified: true },
    emailInUserInfo: null as string | null,
    tamper: null as Tamper,
    authorizeRequests: [] as URLSearchParams[],
    discoveryCount: 0,
  };
  const oauthError = (error: string, description: string, status: 400 | 401 = 400) =>
    new Response(JSON.stringify({ error, error_description: description }), { status, headers: { 'content-type': 'application/json' } });

  app.get('/.well-known/openid-configuration', (c) => {
    state.discoveryCount++;
    return c.json({
      issuer: state.issuer,
      authorization_endpoint: `${state.issuer}/authorize`,
      token_endpoint: `${state.issuer}/token`,
      userinfo_endpoint: `${state.issuer}/userinfo`,
      jwks_uri: `${state.issuer}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      scopes_supported: ['openid', 'email', 'profile'],
    });
  });
  app.get('/jwks', (c) => c.json({ keys: [jwk] }));

  // Approves at once: a real provider would show its sign-in page here.
  app.get('/authorize', (c) => {
    const q = new URL(c.req.url).searchParams;
    state.authorizeRequests.unshift(q);
    const redirectUri = q.get('redirect_uri');
    if (q.get('client_id') !== state.clientId || !redirectUri) return oauthError('invalid_request', 'unknown client or no redirect_uri');
    const back = new URL(redirectUri);
    if (q.get('state')) back.searchParams.set('state', q.get('state')!);
    if (q.get('response_type') !== 'code' || !q.get('scope')?.split(' ').includes('openid') || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
      back.searchParams.set('error', 'invalid_request');
      return c.redirect(back.href, 302);
    }
    const code = randomBytes(16).toString('base64url');
    codes.set(code, { clientId: state.clientId, redirectUri, challenge: q.get('code_challenge')!, nonce: q.get('nonce'), person: { ...state.person } });
    back.searchParams.set('code', code);
    return c.redirect(back.href, 302);
  });

  app.post('/token', async (c) => {
    const form = new URLSearchParams(await c.req.text());
    let [id, secret] = [form.get('client_id'), form.get('client_secret')];
    const basic = /^Basic (.+)$/.exec(c.req.header('authorization') ?? '');
    if (basic) [id, secret] = Buffer.from(basic[1], 'base64').toString().split(':').map(decodeURIComponent);
    if (id !== state.clientId || secret !== state.clientSecret) return oauthError('invalid_client', 'wrong client credentials', 401);
    const code = form.get('code') ?? '';
    const grant = codes.get(code);
    codes.delete(code);
    if (form.get('grant_type') !== 'authorization_code' || !grant || grant.redirectUri !== form.get('redirect_uri')) return oauthError('invalid_grant', 'unknown code or redirect_uri');
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) return oauthError('invalid_grant', 'PKCE verification failed');

    const tamper = state.tamper;
    state.tamper = null;
    const nowSec = Math.floor(Date.now() / 1000);
    const { sub, email, email_verified, name } = grant.person;
    const claims: Record<string, unknown> = {
      iss: state.issuer,
      aud: tamper === 'audience' ? 'another-client' : state.clientId,
      sub,
      iat: tamper === 'expired' ? nowSec - 7200 : nowSec,
      exp: tamper === 'expired' ? nowSec - 3600 : nowSec + 300,
      ...(grant.nonce !== null ? { nonce: tamper === 'nonce' ? 'not-the-nonce-sent' : grant.nonce } : {}),
      ...(email !== null ? { email } : {}),
      ...(email_verified !== undefined ? { email_verified } : {}),
      ...(name ? { name } : {}),
    };
    const accessToken = randomBytes(16).toString('base64url');
    accessTokens.set(accessToken, grant.person);
    return c.json({
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'openid email profile',
      // A bad signature: the right kid, signed by another key.
      id_token: signJwt(claims, tamper === 'signature' ? strangerKey : privateKey, kid),
    });
  });

  app.get('/userinfo', (c) => {
    const token = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    const person = token ? accessTokens.get(token) : undefined;
    if (!person) return oauthError('invalid_token', 'unknown access token', 401);
    const email = person.email ?? state.emailInUserInfo;
    return c.json({ sub: person.sub, ...(email ? { email, email_verified: person.email_verified ?? true } : {}) });
  });

  const served = await serve(app);
  state.issuer = served.url;
  return Object.assign(state, { url: served.url, close: served.close });
}
