// What only a real socket shows: the Host header as sent (not an absolute URL in the request line) and
// Node's parser errors (a 1 MB URL) answered in the one error shape.
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { createApp, hostnameOf } from '../../server/app.ts';
import { signedIn, type TestClient } from '../helpers/auth.ts';
import { answerClientError } from '../../server/client-error.ts';
import { testConfig } from '../../jobs/config.ts';
import { testDb } from '../helpers/db.ts';

interface RawResponse {
  status: number;
  headers: string;
  body: string;
}

/** Sends `request` bytes as they are over a new connection and reads the answer until the server closes it. */
function raw(port: number, request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    // The server may answer and close before it has read a long request: a reset while writing is expected.
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return reject(new Error(`No complete HTTP response: ${JSON.stringify(text.slice(0, 200))}`));
      const headers = text.slice(0, split);
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(headers)?.[1]), headers, body: text.slice(split + 4) });
    });
    socket.write(request);
  });
}

describe('over a real socket', () => {
  let h: DbHandle;
  let server: ServerType;
  let port: number;

  beforeAll(async () => {
    h = await testDb('pglite');
    const app = createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }) });
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    server.on('clientError', answerClientError);
    await new Promise<void>((ok) => server.once('listening', () => ok()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((ok) => server?.close(ok));
    await h?.close();
  });

  test('an absolute URL in the request line does not override a bad Host header', async () => {
    const res = await raw(port, 'GET http://localhost/api/health HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(421);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'host-not-allowed', message: expect.stringContaining('"evil.example"') } });
  });

  test('the Host header as sent decides, with its port and for IPv6', async () => {
    expect((await raw(port, `GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`)).status).toBe(200);
    expect((await raw(port, `GET /api/health HTTP/1.1\r\nHost: [::1]:${port}\r\nConnection: close\r\n\r\n`)).status).toBe(200);
    expect((await raw(port, 'GET http://evil.example/api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')).status).toBe(200);
    expect((await raw(port, `GET /api/health HTTP/1.1\r\nHost: evil.example:${port}\r\nConnection: close\r\n\r\n`)).status).toBe(421);
  });

  test('a request without a Host header (HTTP/1.0) is refused', async () => {
    const res = await raw(port, 'GET /api/health HTTP/1.0\r\n\r\n');
    expect(res.status).toBe(421);
    expect(JSON.parse(res.body).error.code).toBe('host-not-allowed');
    expect(JSON.parse(res.body).error.message).toMatch(/without a Host header/);
  });

  test('a 1 MB URL gets 431 with the JSON error shape, and the server keeps answering', async () => {
    const res = await raw(port, `GET /api/posts?q=${'a'.repeat(1024 * 1024)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(res.headers).toMatch(/^content-type: application\/json/im);
    expect(res.headers).toMatch(/^connection: close/im);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'headers-too-large', message: expect.stringMatching(/shorten the URL/) } });
    expect((await raw(port, 'GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')).status).toBe(200);
  });

  test('bytes that are not HTTP get 400 with the JSON error shape', async () => {
    const res = await raw(port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'invalid-request', message: expect.any(String) } });
  });
});

describe('host check through app.request', () => {
  let h: DbHandle;
  let app: TestClient;
  beforeAll(async () => {
    h = await testDb('pglite');
    app = await signedIn(createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }) }), h.db);
  });
  afterAll(async () => {
    await h?.close();
  });

  test.each([
    ['localhost:3000', 200],
    ['LOCALHOST', 200],
    ['127.0.0.1:3000', 200],
    ['[::1]:3000', 200],
    ['[::1]', 200],
    ['evil.example', 421],
    ['evil.example:3000', 421],
    ['localhost.evil.example', 421],
    ['evil.example@localhost', 421],
    ['', 421],
  ])('Host: %j answers %i', async (host, status) => {
    // the URL names an allowed host: only the header counts
    expect((await app.request('http://localhost/api/health', { headers: { host } })).status).toBe(status);
  });

  test('a header naming an allowed host wins over a URL that does not', async () => {
    expect((await app.request('http://evil.example/api/health', { headers: { host: 'localhost:3000' } })).status).toBe(200);
  });

  test('an in-process request without a Host header (no socket) is judged by its URL', async () => {
    expect((await app.request('/api/health')).status).toBe(200);
    expect((await app.request('http://evil.example/api/health')).status).toBe(421);
  });

  test('MIZAN_ALLOWED_HOSTS names the hosts of a public server', async () => {
    const open = createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent', HOST: '0.0.0.0', MIZAN_ALLOWED_HOSTS: ['mizan.example.bh', '::1'] }) });
    expect((await open.request('/api/health', { headers: { host: 'mizan.example.bh:8443' } })).status).toBe(200);
    expect((await open.request('/api/health', { headers: { host: '[::1]:8443' } })).status).toBe(200);
    expect((await open.request('/api/health', { headers: { host: 'localhost' } })).status).toBe(421);
  });
});

describe(hostnameOf.name, () => {
  test.each([
    ['localhost', 'localhost'],
    ['LocalHost:3000', 'localhost'],
    ['[::1]:3000', '[::1]'],
    ['[::1]', '[::1]'],
    ['127.0.0.1:80', '127.0.0.1'],
    ['', null],
    ['a b', null],
    ['evil.example@localhost', null],
    ['localhost:99999999', null],
    ['::1', null],
    ['localhost/x', null],
  ])('%j -> %j', (header, expected) => {
    expect(hostnameOf(header)).toBe(expected);
  });
});
