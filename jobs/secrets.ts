// Per-account tokens at rest: AES-256-GCM (node:crypto) with the key of MIZAN_SECRET_KEY.
// Stored as `v1:<iv>:<tag>:<ciphertext>` (each base64) in account.token_ciphertext, bound to the account id
// (additional authenticated data), so a ciphertext copied onto another account does not decrypt.
// A token is never logged and never returned by the API (which only says `hasToken`); errors never quote it.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { readAccountTokenCiphertext, writeAccountTokenCiphertext } from '../db/queries/accounts.ts';

export type SecretKey = Buffer | string;

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'v1';

export const MISSING_KEY_MESSAGE =
  'MIZAN_SECRET_KEY is not set: set it to 32 random bytes (64 hex characters, e.g. from `openssl rand -hex 32`, or their base64) to store account tokens';

/** Why a MIZAN_SECRET_KEY value is unusable, or null when it is 32 bytes as 64 hex characters or base64. */
export function secretKeyProblem(value: string): string | null {
  const v = value.trim();
  if (/^[0-9a-fA-F]+$/.test(v)) {
    if (v.length === 64) return null;
    if (v.length !== 44) return `MIZAN_SECRET_KEY has ${v.length} hex characters; it must be 64 (32 bytes), e.g. from \`openssl rand -hex 32\``;
  }
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) {
    const bytes = Buffer.from(v, 'base64').length;
    if (bytes === KEY_BYTES) return null;
    return `MIZAN_SECRET_KEY decodes to ${bytes} bytes of base64; it must be 32 bytes (64 hex characters or 44 base64 characters, e.g. from \`openssl rand -base64 32\`)`;
  }
  return 'MIZAN_SECRET_KEY must be 32 bytes written as 64 hex characters or as base64 (e.g. from `openssl rand -hex 32`)';
}

/** The 32-byte key of a MIZAN_SECRET_KEY value; throws a message saying what is wrong with it. */
export function parseSecretKey(value: string): Buffer {
  const problem = secretKeyProblem(value);
  if (problem) throw new Error(problem);
  const v = value.trim();
  return /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
}

/** The key from the configuration; throws MISSING_KEY_MESSAGE when it is unset. */
export function requireSecretKey(value: string | undefined): Buffer {
  if (!value) throw new Error(MISSING_KEY_MESSAGE);
  return parseSecretKey(value);
}

function keyOf(key: SecretKey): Buffer {
  if (typeof key === 'string') return parseSecretKey(key);
  if (key.length !== KEY_BYTES) throw new Error(`the secret key must be ${KEY_BYTES} bytes, not ${key.length}`);
  return key;
}

/** Encrypts `plain` as `v1:<iv>:<tag>:<ciphertext>` (base64). `context` is authenticated: decrypting needs the same. */
export function encryptSecret(plain: string, key: SecretKey, context = ''): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyOf(key), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [PREFIX, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
}

/** Decrypts what encryptSecret wrote; throws (without quoting anything secret) on a wrong key, context or a changed value. */
export function decryptSecret(stored: string, key: SecretKey, context = ''): string {
  const parts = stored.split(':');
  if (parts.length !== 4 || parts[0] !== PREFIX) throw new Error('the stored secret is not in the v1:<iv>:<tag>:<ciphertext> format');
  const [iv, tag, body] = parts.slice(1).map((p) => Buffer.from(p, 'base64'));
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('the stored secret has a malformed iv or tag');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(key), iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('the stored secret does not decrypt with MIZAN_SECRET_KEY (a different key, or the value was altered)');
  }
}

/** The authenticated context of an account's token: the ciphertext only decrypts for that account. */
const accountContext = (accountId: number) => `mizan:account:${accountId}:token`;

/** Longest token accepted (OAuth tokens are a few hundred characters; Meta's long-lived ones under 500). */
export const MAX_TOKEN_LENGTH = 8192;

/** Why a token cannot be stored (empty, too long, control characters), or null. Never quotes the token. */
export function tokenProblem(token: string): string | null {
  if (token.length === 0) return 'the token is empty';
  if (token.length > MAX_TOKEN_LENGTH) return `the token is longer than ${MAX_TOKEN_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(token)) return 'the token contains control characters or line breaks';
  return null;
}

/**
 * Encrypts and stores an account's token. Refused without MIZAN_SECRET_KEY. Returns false when the account does not exist.
 * Surrounding whitespace (a newline from standard input) is dropped.
 */
export async function storeAccountToken(db: Db, accountId: number, token: string, key: string | Buffer | undefined): Promise<boolean> {
  const k = typeof key === 'string' || key === undefined ? requireSecretKey(key) : keyOf(key);
  const t = token.trim();
  const problem = tokenProblem(t);
  if (problem) throw new Error(problem);
  return writeAccountTokenCiphertext(db, accountId, encryptSecret(t, k, accountContext(accountId)));
}

/** Removes an account's token; false when the account does not exist. Needs no key. */
export async function clearAccountToken(db: Db, accountId: number): Promise<boolean> {
  return writeAccountTokenCiphertext(db, accountId, null);
}

/**
 * The account's token in clear, for one fetch (never log it); null when the account has none.
 * Throws when a token is stored but MIZAN_SECRET_KEY is unset or is not the key it was stored with.
 */
export async function readAccountToken(db: Db, accountId: number, key: string | Buffer | undefined): Promise<string | null> {
  const stored = await readAccountTokenCiphertext(db, accountId);
  if (stored === null) return null;
  if (key === undefined || key === '') throw new Error(`account ${accountId} has a stored token but MIZAN_SECRET_KEY is not set: set it to the key the token was stored with`);
  try {
    return decryptSecret(stored, key, accountContext(accountId));
  } catch (err) {
    throw new Error(`account ${accountId}: its token cannot be read: ${(err as Error).message}; set the token again with \`npm run cli -- account set-token --account ${accountId}\``);
  }
}
