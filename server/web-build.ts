// `npm start` builds the web app only when its sources changed: a hash of the sources, the lockfile and the
// build settings is stored beside the built files (dist/web.source-hash) and compared at each start.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface WebBuildPaths {
  /** The repository root. */
  root: string;
  /** Directories and files whose content makes the bundle (web/ and what web/src imports from outside it). */
  sources: string[];
  outDir: string;
  hashFile: string;
}

export function defaultWebBuildPaths(root = process.cwd()): WebBuildPaths {
  return {
    root,
    // web/src imports db/vocabulary.ts at run time and server/api-types.ts for types; the lockfile pins Svelte, Vite and Chart.js.
    sources: ['web', 'db/vocabulary.ts', 'server/api-types.ts', 'package-lock.json'].map((p) => path.join(root, p)),
    outDir: path.join(root, 'dist/web'),
    hashFile: path.join(root, 'dist/web.source-hash'),
  };
}

function filesUnder(p: string, out: string[]): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch {
    return;
  }
  if (stat.isFile()) out.push(p);
  else if (stat.isDirectory()) {
    for (const name of fs.readdirSync(p).sort()) if (name !== 'node_modules' && !name.startsWith('.')) filesUnder(path.join(p, name), out);
  }
}

/** SHA-256 over the path and content of every source file, in a fixed order. */
export function webSourceHash(paths: WebBuildPaths): string {
  const files: string[] = [];
  for (const s of paths.sources) filesUnder(s, files);
  const hash = createHash('sha256');
  for (const f of files) {
    hash.update(path.relative(paths.root, f).split(path.sep).join('/'));
    hash.update('\0');
    hash.update(fs.readFileSync(f));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export type WebBuildOutcome = 'up-to-date' | 'built' | 'kept-stale';

/**
 * Builds the web app unless the stored hash matches the sources and the built index.html is there.
 * `build` runs the build (by default `vite build` in a child process, so it runs on another core while the
 * database opens); when it fails and an earlier build exists, that one is kept with a warning.
 */
export async function ensureWebBuild(
  paths: WebBuildPaths,
  opts: { log: (message: string) => void; build?: () => Promise<void> },
): Promise<WebBuildOutcome> {
  const hash = webSourceHash(paths);
  const indexExists = fs.existsSync(path.join(paths.outDir, 'index.html'));
  let stored: string | null = null;
  try {
    stored = fs.readFileSync(paths.hashFile, 'utf8').trim();
  } catch {
    // never built by npm start
  }
  if (indexExists && stored === hash) return 'up-to-date';
  const t0 = performance.now();
  try {
    await (opts.build ?? (() => viteBuild(paths.root)))();
  } catch (err) {
    if (indexExists) {
      opts.log(`the web app was not rebuilt (${(err as Error).message}): serving the earlier build`);
      return 'kept-stale';
    }
    throw err;
  }
  fs.mkdirSync(path.dirname(paths.hashFile), { recursive: true });
  fs.writeFileSync(paths.hashFile, `${hash}\n`);
  opts.log(`web app built in ${((performance.now() - t0) / 1000).toFixed(1)} s (its sources changed)`);
  return 'built';
}

let running: ChildProcess | null = null;
// The build must not outlive a start-up that fails.
process.once('exit', () => running?.kill());

function viteBuild(root: string): Promise<void> {
  const bin = path.join(root, 'node_modules/vite/bin/vite.js');
  if (!fs.existsSync(bin)) return Promise.reject(new Error('Vite is not installed (npm ci installs it)'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    running = child;
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      running = null;
      // The one line that matters from the build: the initial JavaScript's size.
      const size = /initial JavaScript:.*$/m.exec(output);
      if (size) console.log(`[mizan] ${size[0]}`);
      if (code === 0) resolve();
      else reject(new Error(`vite build exited with ${code}: ${output.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}
