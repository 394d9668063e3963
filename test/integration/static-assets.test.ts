// The built web app: brotli/gzip, hashed assets immutable for a year, index.html revalidated with an ETag.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDb, type DbHandle } from '../../db/client.ts';
import { testConfig } from '../../jobs/config.ts';
import { createApp } from '../../server/app.ts';
import { pickEncoding } from '../../server/static.ts';

const js = `export const table = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ id: i, name: `row ${i}` })))};\n`;
const html = `<!doctype html><html><head><title>Mizan</title><script type="module" src="/assets/index-AbCdEf12.js"></script></head><body>${'<div></div>'.repeat(200)}</body></html>`;

describe('static assets', () => {
  const webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mizan-static-'));
  let h: DbHandle;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    fs.mkdirSync(path.join(webDir, 'assets'));
    fs.writeFileSync(path.join(webDir, 'index.html'), html);
    fs.writeFileSync(path.join(webDir, 'assets', 'index-AbCdEf12.js'), js);
    fs.writeFileSync(path.join(webDir, 'assets', 'font-Zz99Yy88.woff2'), Buffer.alloc(4096, 7));
    fs.writeFileSync(path.join(webDir, 'favicon.svg'), `<svg xmlns="http://www.w3.org/2000/svg">${'<g/>'.repeat(400)}</svg>`);
    // A precompressed copy from the build is sent as it is.
    fs.writeFileSync(path.join(webDir, 'assets', 'index-AbCdEf12.js.gz'), zlib.gzipSync(js, { level: 1 }));
    h = await createDb({ dataDir: 'memory://' });
    app = createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: webDir }) });
  });
  afterAll(async () => {
    await h.close();
    fs.rmSync(webDir, { recursive: true, force: true });
  });

  test.each([
    ['br, gzip, deflate', 'br'],
    ['gzip, deflate', 'gzip'],
    ['gzip;q=0, br;q=0.5', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['*', 'br'],
    ['identity', null],
    ['', null],
  ])('pickEncoding(%j) is %s', (header, expected) => {
    expect(pickEncoding(header)).toBe(expected);
  });

  test('a hashed asset: brotli or gzip as asked, immutable for a year, the same bytes after decompression', async () => {
    const br = await app.request('/assets/index-AbCdEf12.js', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(br.status).toBe(200);
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(br.headers.get('vary')).toBe('Accept-Encoding');
    expect(br.headers.get('content-type')).toMatch(/javascript/);
    const brBody = Buffer.from(await br.arrayBuffer());
    expect(brBody.length).toBeLessThan(js.length / 3);
    expect(Number(br.headers.get('content-length'))).toBe(brBody.length);
    expect(zlib.brotliDecompressSync(brBody).toString()).toBe(js);

    const gz = await app.request('/assets/index-AbCdEf12.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    const gzBody = Buffer.from(await gz.arrayBuffer());
    // The build's own copy (level 1 here), not one made by the server.
    expect(gzBody.equals(zlib.gzipSync(js, { level: 1 }))).toBe(true);
    expect(zlib.gunzipSync(gzBody).toString()).toBe(js);

    const plain = await app.request('/assets/index-AbCdEf12.js');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(js);
  });

  test('a stale precompressed copy (not of the current content) is not sent', async () => {
    const file = path.join(webDir, 'assets', 'late-Qq11Ww22.js');
    fs.writeFileSync(`${file}.gz`, zlib.gzipSync('old content'));
    fs.writeFileSync(file, js);
    const res = await app.request('/assets/late-Qq11Ww22.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(zlib.gunzipSync(Buffer.from(await res.arrayBuffer())).toString()).toBe(js);
  });

  test('index.html and client routes: no-cache with an ETag, 304 when it matches, a new ETag after a rebuild', async () => {
    for (const url of ['/', '/index.html', '/entities/3?lang=ar']) {
      const res = await app.request(url, { headers: { 'accept-encoding': 'gzip' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-encoding')).toBe('gzip');
      expect(res.headers.get('etag')).toMatch(/^"[\w-]+"$/);
      expect(zlib.gunzipSync(Buffer.from(await res.arrayBuffer())).toString()).toBe(html);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    }
    const etag = (await app.request('/')).headers.get('etag')!;
    const again = await app.request('/posts', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    fs.writeFileSync(path.join(webDir, 'index.html'), html.replace('Mizan', 'Mizan 2'));
    const rebuilt = await app.request('/posts', { headers: { 'if-none-match': etag } });
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.headers.get('etag')).not.toBe(etag);
    expect(await rebuilt.text()).toContain('Mizan 2');
  });

  test('already compressed or small files are sent as they are; unhashed files are revalidated; nothing outside the directory', async () => {
    const font = await app.request('/assets/font-Zz99Yy88.woff2', { headers: { 'accept-encoding': 'br, gzip' } });
    expect(font.headers.get('content-encoding')).toBeNull();
    expect(font.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await font.arrayBuffer()).byteLength).toBe(4096);
    const icon = await app.request('/favicon.svg', { headers: { 'accept-encoding': 'gzip' } });
    expect(icon.headers.get('content-encoding')).toBe('gzip');
    expect(icon.headers.get('cache-control')).toBe('no-cache');
    expect((await app.request('/assets/index-AbCdEf12.js.gz')).status).toBe(404);
    expect((await app.request('/assets/missing-AbCdEf12.js')).status).toBe(404);
    expect((await app.request('/%2e%2e/%2e%2e/etc/passwd')).status).not.toBe(500);
    const head = await app.request('/assets/index-AbCdEf12.js', { method: 'HEAD', headers: { 'accept-encoding': 'br' } });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
