// OpenID Connect sign-in through openid-client: the provider's metadata (discovered once and kept), the code grant
// with PKCE, state and nonce checked by the library, and the directory's person mapped to an existing Mizan user.
import { createHmac, randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import type { Db } from '../db/client.ts';
import { getUserByOidcSubject, getUserForLogin, updateUser, type UserView } from '../db/queries/users.ts';
import { isLoopbackHost, type Config } from '../jobs/config.ts';

export const OIDC_START = '/auth/oidc/start';
export const OIDC_CALLBACK = '/auth/oidc/callback';

/** What the sign-in page offers for OpenID Connect (GET /api/auth/login), or null when it is not configured. */
export function oidcOffer(config: Config): { label: string; start: string } | null {
  return config.MIZAN_OIDC_ISSUER && config.MIZAN_OIDC_CLIENT_ID ? { label: config.MIZAN_OIDC_LABEL, start: OIDC_START } : null;
}

/** Why a sign-in through the directory did not end in a session; the code is the `signin-error` the sign-in page shows. */
export type OidcFailure =
  | 'oidc-unavailable' // the provider could not be reached or answered with an error status
  | 'oidc-expired' // no sign-in in progress in this browser (cookie missing, expired or altered)
  | 'oidc-denied' // the person cancelled or the provider refused at its own page
  | 'oidc-failed' // the answer did not validate: state, nonce, ID token signature or claims, PKCE
  | 'oidc-unknown-user' // no Mizan user for this directory account (users are never created here)
  | 'oidc-disabled'; // the Mizan user is disabled

/** The sign-in in progress, kept in a signed cookie between the start and the callback. */
export interface OidcTransaction {
  state: string;
  nonce: string;
  verifier: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export const TRANSACTION_MINUTES = 10;
/** Metadata is discovered again after this long (keys are refreshed by the library when an unknown `kid` appears). */
const DISCOVERY_TTL_MS = 24 * 3_600_000;
/** Seconds to wait for the provider on each request. */
const PROVIDER_TIMEOUT = 10;

export interface OidcClient {
  redirectUri: string;
  /** Signs the transaction cookie: derived from MIZAN_SECRET_KEY, else random per process. */
  cookieKey: Buffer;
  /** The authorization URL to send the browser to, and the transaction to keep; a failure when the provider is down. */
  start(): Promise<{ ok: true; url: URL; transaction: OidcTransaction } | { ok: false; reason: OidcFailure; detail: string }>;
  /** Completes the code grant for the callback's query string: the validated ID token's claims, or why not. */
  finish(search: string, tx: OidcTransaction): Promise<{ ok: true; claims: DirectoryClaims } | { ok: false; reason: OidcFailure; detail: string }>;
}

export interface DirectoryClaims {
  sub: string;
  email: string | null;
  emailVerified: boolean | null;
}

/** The OpenID Connect client for this configuration, or null when it is off. */
export function oidcClient(config: Config, now: () => Date = () => new Date()): OidcClient | null {
  if (!config.MIZAN_OIDC_ISSUER || !config.MIZAN_OIDC_CLIENT_ID) return null;
  const issuer = new URL(config.MIZAN_OIDC_ISSUER);
  const clientId = config.MIZAN_OIDC_CLIENT_ID;
  const clientSecret = config.MIZAN_OIDC_CLIENT_SECRET;
  // Plain HTTP only for a provider on this machine (the test suite's fake); a real directory is always HTTPS.
  const insecure = issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname);
  const redirectUri = `${config.MIZAN_PUBLIC_URL}${OIDC_CALLBACK}`;
  let cached: { at: number; config: Promise<client.Configuration> } | null = null;

  function configuration(): Promise<client.Configuration> {
    if (!cached || Date.now() - cached.at > DISCOVERY_TTL_MS) {
      const pending = client.discovery(issuer, clientId, clientSecret, clientSecret ? client.ClientSecretPost(clientSecret) : client.None(), {
        // The library trusts TLS for an ID token from the token endpoint; checking its signature against the JWKS as
        // well costs one cached fetch and does not rest on the transport alone.
        execute: insecure ? [client.allowInsecureRequests, client.enableNonRepudiationChecks] : [client.enableNonRepudiationChecks],
        timeout: PROVIDER_TIMEOUT,
      });
      // A failed discovery is not kept: the next sign-in tries again.
      pending.catch(() => {
        if (cached?.config === pending) cached = null;
      });
      cached = { at: Date.now(), config: pending };
    }
    return cached.config;
  }

  return {
    redirectUri,
    cookieKey: config.MIZAN_SECRET_KEY ? createHmac('sha256', config.MIZAN_SECRET_KEY).update('mizan oidc transaction cookie').digest() : randomBytes(32),
    async start() {
      const discovered = await configuration().then(
        (c) => ({ ok: true as const, c }),
        (err: unknown) => ({ ok: false as const, err }),
      );
      if (!discovered.ok) return { ok: false, reason: 'oidc-unavailable', detail: describe(discovered.err) };
      const transaction: OidcTransaction = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        verifier: client.randomPKCECodeVerifier(),
        expiresAt: now().getTime() + TRANSACTION_MINUTES * 60_000,
      };
      const url = client.buildAuthorizationUrl(discovered.c, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        code_challenge: await client.calculatePKCECodeChallenge(transaction.verifier),
        code_challenge_method: 'S256',
        state: transaction.state,
        nonce: transaction.nonce,
      });
      return { ok: true, url, transaction };
    },
    async finish(search, tx) {
      try {
        const c = await configuration();
        // The URL the provider redirected to, as registered (not as a proxy rewrote it): its query carries code and state.
        const current = new URL(redirectUri);
        current.search = search;
        const tokens = await client.authorizationCodeGrant(c, current, { pkceCodeVerifier: tx.verifier, expectedState: tx.state, expectedNonce: tx.nonce, idTokenExpected: true });
        const idToken = tokens.claims();
        if (!idToken) return { ok: false, reason: 'oidc-failed', detail: 'the provider sent no ID token' };
        let email = typeof idToken.email === 'string' ? idToken.email : null;
        let emailVerified = typeof idToken.email_verified === 'boolean' ? idToken.email_verified : null;
        // Some directories put the e-mail only in the UserInfo answer.
        if (email === null && c.serverMetadata().userinfo_endpoint) {
          const info = await client.fetchUserInfo(c, tokens.access_token, idToken.sub);
          email = typeof info.email === 'string' ? info.email : null;
          emailVerified = typeof info.email_verified === 'boolean' ? info.email_verified : null;
        }
        return { ok: true, claims: { sub: idToken.sub, email, emailVerified } };
      } catch (err) {
        return { ok: false, reason: classify(err), detail: describe(err) };
      }
    },
  };
}

/** Network trouble, timeouts and error statuses are the provider being unavailable; everything else failed validation. */
function classify(err: unknown): OidcFailure {
  if (err instanceof client.AuthorizationResponseError) return err.error === 'access_denied' ? 'oidc-denied' : 'oidc-failed';
  if (err instanceof TypeError) return 'oidc-unavailable';
  if (err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'oidc-unavailable';
  if (err instanceof client.ClientError && (err.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || err.code === 'OAUTH_RESPONSE_IS_NOT_JSON')) return 'oidc-unavailable';
  return 'oidc-failed';
}

/** One line for the audit log and the server log: the library's message and code, never a stack or a token. */
function describe(err: unknown): string {
  if (err instanceof client.AuthorizationResponseError) return `provider answered ${err.error}${err.error_description ? `: ${err.error_description}` : ''}`.slice(0, 300);
  if (err instanceof client.ResponseBodyError) return `provider answered ${err.status} ${err.error}`.slice(0, 300);
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return `${err.message}${cause}${typeof code === 'string' ? ` [${code}]` : ''}`.slice(0, 300);
  }
  return String(err).slice(0, 300);
}

/**
 * The Mizan user for a directory account: by the linked subject first, else by the e-mail (unless the provider says it
 * is unverified), linking the subject on that first sign-in. Nobody is created here: an admin adds users.
 */
export async function userForDirectoryAccount(db: Db, claims: DirectoryClaims): Promise<{ user: UserView; linked: boolean } | { reason: OidcFailure; detail: string }> {
  const bySubject = await getUserByOidcSubject(db, claims.sub);
  if (bySubject) return bySubject.disabled ? { reason: 'oidc-disabled', detail: 'user disabled' } : { user: bySubject, linked: false };
  if (!claims.email) return { reason: 'oidc-unknown-user', detail: 'unknown subject and no e-mail claim' };
  if (claims.emailVerified === false) return { reason: 'oidc-unknown-user', detail: 'unknown subject and the e-mail is not verified' };
  const byEmail = await getUserForLogin(db, claims.email);
  if (!byEmail) return { reason: 'oidc-unknown-user', detail: 'unknown e-mail' };
  // Another directory account already signs in as this user: a second one with the same e-mail is not let in.
  if (byEmail.oidc) return { reason: 'oidc-unknown-user', detail: 'the user is linked to another directory account' };
  if (byEmail.disabled) return { reason: 'oidc-disabled', detail: 'user disabled' };
  const { passwordHash: _hash, ...user } = byEmail;
  await updateUser(db, user.id, { oidcSubject: claims.sub });
  return { user: { ...user, oidc: true }, linked: true };
}
