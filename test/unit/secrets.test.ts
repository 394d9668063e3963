// Account tokens at rest: AES-256-GCM, `v1:<iv>:<tag>:<ciphertext>`, a key of 32 bytes (hex or base64).
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { decryptSecret, encryptSecret, MISSING_KEY_MESSAGE, parseSecretKey, requireSecretKey, secretKeyProblem, tokenProblem } from '../../jobs/secrets.ts';

const raw = randomBytes(32);
const HEX = raw.toString('hex');
const B64 = raw.toString('base64');

describe('secret key', () => {
  test('64 hex characters and base64 of 32 bytes give the same key', () => {
    expect(parseSecretKey(HEX).equals(raw)).toBe(true);
    expect(parseSecretKey(B64).equals(raw)).toBe(true);
    expect(parseSecretKey(`  ${HEX}\n`).equals(raw)).toBe(true);
    expect(parseSecretKey(raw.toString('base64url')).equals(raw)).toBe(true);
  });

  test('a key of the wrong length or alphabet is refused with a message that says what it must be', () => {
    expect(secretKeyProblem(HEX)).toBeNull();
    expect(secretKeyProblem(B64)).toBeNull();
    expect(secretKeyProblem(HEX.slice(0, 62))).toMatch(/62 hex characters; it must be 64/);
    expect(secretKeyProblem(randomBytes(16).toString('base64'))).toMatch(/decodes to 16 bytes.*must be 32 bytes/);
    expect(secretKeyProblem('not a key!')).toMatch(/must be 32 bytes written as 64 hex characters or as base64/);
    expect(() => parseSecretKey('abc')).toThrow(/MIZAN_SECRET_KEY has 3 hex characters/);
  });

  test('no key: storing is refused with a message saying to set MIZAN_SECRET_KEY', () => {
    expect(() => requireSecretKey(undefined)).toThrow(MISSING_KEY_MESSAGE);
    expect(MISSING_KEY_MESSAGE).toMatch(/set it/);
    expect(MISSING_KEY_MESSAGE).toMatch(/MIZAN_SECRET_KEY/);
  });
});

describe('encryptSecret / decryptSecret', () => {
  const token = 'AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifiRBkKG5E2XzMDjRfl76ZC9Ub0wnz4XsNiRVBChTYbJcE3F';

  test('round trip; the stored form is v1:<iv>:<tag>:<ciphertext> in base64 and does not contain the token', () => {
    const stored = encryptSecret(token, raw);
    expect(stored).toMatch(/^v1:[A-Za-z0-9+/]+=*:[A-Za-z0-9+/]+=*:[A-Za-z0-9+/]+=*$/);
    const [, iv, tag] = stored.split(':');
    expect(Buffer.from(iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(tag, 'base64')).toHaveLength(16);
    expect(stored).not.toContain(token.slice(0, 20));
    expect(decryptSecret(stored, raw)).toBe(token);
    expect(decryptSecret(stored, HEX)).toBe(token);
    expect(decryptSecret(encryptSecret('توكن عربي ✓', B64), HEX)).toBe('توكن عربي ✓');
  });

  test('a fresh IV each time', () => {
    expect(encryptSecret(token, raw)).not.toBe(encryptSecret(token, raw));
  });

  test('a wrong key, another context or an altered value does not decrypt, and the error quotes nothing secret', () => {
    const stored = encryptSecret(token, raw, 'mizan:account:1:token');
    const attempts = [
      () => decryptSecret(stored, randomBytes(32), 'mizan:account:1:token'),
      () => decryptSecret(stored, raw, 'mizan:account:2:token'),
      () => {
        const parts = stored.split(':');
        const body = Buffer.from(parts[3], 'base64');
        body[0] ^= 1;
        return decryptSecret([...parts.slice(0, 3), body.toString('base64')].join(':'), raw, 'mizan:account:1:token');
      },
    ];
    for (const attempt of attempts) {
      let message = '';
      try {
        attempt();
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/does not decrypt with MIZAN_SECRET_KEY/);
      expect(message).not.toContain(token.slice(0, 10));
      expect(message).not.toContain(HEX);
    }
    expect(() => decryptSecret('plain-token', raw)).toThrow(/v1:<iv>:<tag>:<ciphertext>/);
  });

  test('tokens: empty, too long or with line breaks are refused', () => {
    expect(tokenProblem('abc')).toBeNull();
    expect(tokenProblem('')).toMatch(/empty/);
    expect(tokenProblem('a'.repeat(9000))).toMatch(/longer than 8192/);
    expect(tokenProblem('a\nb')).toMatch(/control characters or line breaks/);
  });
});
