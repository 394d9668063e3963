// The app shell: static files, the SPA fallback, security headers, health when the database is gone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDb } from '../../db/client.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { createApp } from '../../server/app.ts';
import { testConfig } from '../../jobs/config.ts';

describe('app shell', () => {
  const webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mizan-web-'));
  beforeAll(() => {
    fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>Mizan</title>');
    fs.mkdirSync(path.join(webDir, 'assets'));
    fs.writeFileSync(path.join(webDir, 'assets', 'app.js'), 'console.log(1)');
  });
  afterAll(() => fs.rmSync(webDir, { recursive: true, force: true }));

  test('serves files, the app page for client routes, 404 for missing assets, with a CSP', async () => {
    const h = await createDb({ dataDir: 'memory://' });
    await migrateToLatest(h.db);
    const app = createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: webDir }) });
    const asset = await app.request('/assets/app.js');
    expect(asset.status).toBe(200);
    expect(await asset.text()).toBe('console.log(1)');
    const route = await app.request('/entities/3?lang=ar');
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>Mizan</title>');
    expect(route.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(route.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await app.request('/assets/missing.js')).status).toBe(404);
    expect((await app.request('/../../etc/passwd')).status).not.toBe(500);
    // Listening on loopback, the server answers only to loopback host names (DNS rebinding).
    expect((await app.request('http://evil.example/api/health')).status).toBe(421);
    expect((await app.request('http://127.0.0.1/api/health')).status).toBe(200);
    const open = createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: webDir, HOST: '0.0.0.0', MIZAN_ALLOWED_HOSTS: ['mizan.example.bh'] }) });
    expect((await open.request('http://mizan.example.bh/api/health')).status).toBe(200);
    expect((await open.request('http://other.example/api/health')).status).toBe(421);
    await h.close();
  });

  test('health answers 503 when the database is gone', async () => {
    const h = await createDb({ dataDir: 'memory://' });
    await migrateToLatest(h.db);
    const app = createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: webDir }) });
    expect((await app.request('/api/health')).status).toBe(200);
    await h.close();
    const res = await app.request('/api/health');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('database-unavailable');
  });
});
