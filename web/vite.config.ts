import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** The issue's budget for the JavaScript a first visit loads, gzipped. */
const INITIAL_JS_BUDGET = 150 * 1024;
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|ttf|otf|eot)$/i;

/**
 * After the build: brotli and gzip copies beside every compressible file (server/static.ts sends them), and the
 * gzipped size of the initial JavaScript (the entry and what it imports statically) printed and written to
 * bundle-size.json.
 */
function compressAndReport(): Plugin {
  return {
    name: 'mizan-compress-and-report',
    apply: 'build',
    async writeBundle(options, bundle) {
      const dir = options.dir!;
      const files = Object.keys(bundle).filter((f) => COMPRESSIBLE.test(f));
      const gzipped = new Map<string, number>();
      await Promise.all(
        files.map(async (f) => {
          const raw = await fs.promises.readFile(path.join(dir, f));
          if (raw.length < 1024) return;
          const [br, gz] = await Promise.all([
            brotli(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
            gzip(raw, { level: 9 }),
          ]);
          gzipped.set(f, gz.length);
          await Promise.all([fs.promises.writeFile(path.join(dir, `${f}.br`), br), fs.promises.writeFile(path.join(dir, `${f}.gz`), gz)]);
        }),
      );
      const initial = new Set<string>();
      const visit = (name: string) => {
        const chunk = bundle[name];
        if (initial.has(name) || !chunk || chunk.type !== 'chunk') return;
        initial.add(name);
        chunk.imports.forEach(visit);
      };
      for (const [name, chunk] of Object.entries(bundle)) if (chunk.type === 'chunk' && chunk.isEntry) visit(name);
      const sizeOf = (f: string) => gzipped.get(f) ?? zlib.gzipSync(fs.readFileSync(path.join(dir, f)), { level: 9 }).length;
      const initialJs = [...initial].map((f) => ({ file: f, raw: fs.statSync(path.join(dir, f)).size, gzip: sizeOf(f) }));
      const allJs = Object.keys(bundle).filter((f) => f.endsWith('.js'));
      const total = initialJs.reduce((n, f) => n + f.gzip, 0);
      const lazyTotal = allJs.filter((f) => !initial.has(f)).reduce((n, f) => n + sizeOf(f), 0);
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      console.log(
        `initial JavaScript: ${kb(total)} gzipped in ${initialJs.length} file(s) (${initialJs.map((f) => `${f.file} ${kb(f.gzip)}`).join(', ')}); ` +
          `budget ${kb(INITIAL_JS_BUDGET)} ${total <= INITIAL_JS_BUDGET ? 'met' : 'EXCEEDED'}; ${allJs.length - initialJs.length} chunks loaded later, ${kb(lazyTotal)} gzipped`,
      );
      await fs.promises.writeFile(path.join(dir, 'bundle-size.json'), `${JSON.stringify({ initialJsGzip: total, budget: INITIAL_JS_BUDGET, initial: initialJs, lazyJsGzip: lazyTotal }, null, 2)}\n`);
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  // No svelte.config.js: Svelte 5 compiles `lang="ts"` scripts without a preprocessor.
  plugins: [svelte({ configFile: false, compilerOptions: { runes: true } }), compressAndReport()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 600,
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: 'http://localhost:3000', changeOrigin: true } },
    // api-types.ts lives outside web/ (type-only import, but keep dev happy if it is ever followed)
    fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] },
  },
  preview: {
    proxy: { '/api': { target: 'http://localhost:3000', changeOrigin: true } },
  },
});
