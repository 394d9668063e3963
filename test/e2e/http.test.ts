// The process as started (server/main.ts): a 1 MB URL gets the JSON error shape, and an absolute URL in the
// request line does not get past the Host check.
import net from 'node:net';
import { describe, expect, inject, test } from 'vitest';
import { DEMO, signIn } from './harness.ts';

const base = new URL(inject('mizanBase'));

/** Sends `request` as is and reads the answer until the server closes the connection. */
function raw(request: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(base.port), base.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    // the server may answer and close before it has read a long request
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return reject(new Error(`No complete HTTP response: ${JSON.stringify(text.slice(0, 200))}`));
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1]), headers: text.slice(0, split), body: text.slice(split + 4) });
    });
    socket.write(request);
  });
}

describe('the server process over a socket', () => {
  test('a 1 MB URL gets 431 with the JSON error shape', async () => {
    const res = await raw(`GET /api/posts?q=${'a'.repeat(1024 * 1024)} HTTP/1.1\r\nHost: ${base.host}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(res.headers).toMatch(/^content-type: application\/json/im);
    expect(JSON.parse(res.body).error.code).toBe('headers-too-large');
  });

  test('an API route answers 401 without a session, and 200 with the cookie of POST /api/auth/login', async () => {
    const anonymous = await fetch(new URL('/api/overview', base));
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    const cookie = await signIn(base.origin, DEMO.viewer);
    const signedIn = await fetch(new URL('/api/overview', base), { headers: { cookie } });
    expect(signedIn.status).toBe(200);
    const me = (await (await fetch(new URL('/api/auth/me', base), { headers: { cookie } })).json()) as { user: { email: string; role: string } };
    expect(me.user).toMatchObject({ email: DEMO.viewer, role: 'viewer' });
  });

  test('an absolute URL naming localhost does not hide a foreign Host header', async () => {
    const res = await raw(`GET http://localhost:${base.port}/api/health HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(421);
    expect(JSON.parse(res.body).error.code).toBe('host-not-allowed');
    expect((await raw(`GET /api/health HTTP/1.1\r\nHost: ${base.host}\r\nConnection: close\r\n\r\n`)).status).toBe(200);
  });
});
