// The built web app: compressed (brotli or gzip), hashed assets cached for a year, index.html revalidated by ETag.
// Compressed copies come from the build (`x.js.br`, `x.js.gz` written by web/vite.config.ts) or are made on the
// first request and kept in memory; each file is read once per change (size and mtime), so a rebuild shows at once.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Context, MiddlewareHandler } from 'hono';
import { getMimeType } from 'hono/utils/mime';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** Files worth compressing (fonts in woff/woff2 and images are compressed already). */
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map|ttf|otf|eot|xml|webmanifest)$/i;
/** Below this a compressed copy saves less than its headers cost. */
const MIN_COMPRESS_BYTES = 1024;
/** Vite names what it emits under assets/ by content hash: the name changes whenever the content does. */
const HASHED = /^\/assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

type Encoding = 'br' | 'gzip';

interface CachedFile {
  key: string;
  raw: Buffer;
  etag: string;
  type: string;
  encoded: Partial<Record<Encoding, Promise<Buffer>>>;
}

/** Whether an Accept-Encoding header takes `encoding` (q=0 refuses one; `*` stands for the others). */
export function acceptsEncoding(acceptEncoding: string | undefined, encoding: Encoding): boolean {
  if (!acceptEncoding) return false;
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    accepted.set(name.trim(), q ? Number(q[1]) : 1);
  }
  return (accepted.get(encoding) ?? (accepted.has('*') ? accepted.get('*')! : 0)) > 0;
}

/** The encoding to send: brotli when the client takes it, else gzip, else none. */
export function pickEncoding(acceptEncoding: string | undefined): Encoding | null {
  if (acceptsEncoding(acceptEncoding, 'br')) return 'br';
  if (acceptsEncoding(acceptEncoding, 'gzip')) return 'gzip';
  return null;
}

export function staticFiles(webDir: string): { serve: MiddlewareHandler; index: (c: Context) => Promise<Response> } {
  const root = path.resolve(webDir);
  const cache = new Map<string, CachedFile>();

  async function load(file: string): Promise<CachedFile | null> {
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(file);
    } catch {
      return null;
    }
    if (!stat.isFile()) return null;
    const key = `${stat.size}:${stat.mtimeMs}`;
    const hit = cache.get(file);
    if (hit?.key === key) return hit;
    const raw = await fs.promises.readFile(file);
    const entry: CachedFile = {
      key,
      raw,
      etag: `"${createHash('sha256').update(raw).digest('base64url').slice(0, 27)}"`,
      type: getMimeType(file) ?? 'application/octet-stream',
      encoded: {},
    };
    cache.set(file, entry);
    return entry;
  }

  // The build's own compressed copy when it is of this very content, else one made now (and kept).
  function encodedBody(file: string, entry: CachedFile, encoding: Encoding): Promise<Buffer> {
    const made = entry.encoded[encoding];
    if (made) return made;
    const promise = (async () => {
      const sibling = `${file}.${encoding === 'br' ? 'br' : 'gz'}`;
      try {
        const [stat, fileStat] = await Promise.all([fs.promises.stat(sibling), fs.promises.stat(file)]);
        if (stat.mtimeMs >= fileStat.mtimeMs) {
          const body = await fs.promises.readFile(sibling);
          const back = encoding === 'br' ? zlib.brotliDecompressSync(body) : zlib.gunzipSync(body);
          if (back.equals(entry.raw)) return body;
        }
      } catch {
        // no precompressed copy: make one
      }
      return encoding === 'br'
        ? brotli(entry.raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: entry.raw.length } })
        : gzip(entry.raw, { level: 9 });
    })();
    entry.encoded[encoding] = promise;
    // A failure is not cached: the next request tries again.
    promise.catch(() => delete entry.encoded[encoding]);
    return promise;
  }

  async function send(c: Context, file: string, entry: CachedFile, cacheControl: string): Promise<Response> {
    const headers: Record<string, string> = { 'Content-Type': entry.type, 'Cache-Control': cacheControl, ETag: entry.etag };
    const compressible = COMPRESSIBLE.test(file) && entry.raw.length >= MIN_COMPRESS_BYTES;
    if (compressible) headers.Vary = 'Accept-Encoding';
    const ifNoneMatch = c.req.header('if-none-match');
    if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === entry.etag)) {
      return c.body(null, 304, headers);
    }
    const encoding = compressible ? pickEncoding(c.req.header('accept-encoding')) : null;
    let body: Buffer = entry.raw;
    if (encoding) {
      body = await encodedBody(file, entry, encoding);
      headers['Content-Encoding'] = encoding;
    }
    headers['Content-Length'] = String(body.length);
    if (c.req.method === 'HEAD') return c.body(null, 200, headers);
    return c.body(new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.length), 200, headers);
  }

  const serve: MiddlewareHandler = async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    let rel: string;
    try {
      rel = decodeURIComponent(c.req.path);
    } catch {
      return next();
    }
    const file = path.join(root, rel);
    // Nothing outside the web directory, and no compressed copy asked for by name.
    if (rel.includes('\0') || (file !== root && !file.startsWith(root + path.sep)) || /\.(br|gz)$/.test(file)) return next();
    const entry = await load(file);
    if (!entry) return next();
    const isIndex = path.basename(file) === 'index.html';
    return send(c, file, entry, !isIndex && HASHED.test(rel) ? IMMUTABLE : REVALIDATE);
  };

  const index = async (c: Context): Promise<Response> => {
    const file = path.join(root, 'index.html');
    const entry = await load(file);
    if (!entry) return c.notFound();
    return send(c, file, entry, REVALIDATE);
  };

  return { serve, index };
}
