// Worker threads that run TypeScript modules (the rulebook trial, the scoring pool). A Worker does not get tsx's
// loader from the parent's execArgv on Node 20 (checked: "Unknown file extension .ts" even with execArgv
// ['--import', 'tsx']), so a tiny inline bootstrap registers tsx's ESM hooks inside the worker before importing
// the entry module. The entry posts { type: 'ready' } once it can take work.
import { Worker, type ResourceLimits } from 'node:worker_threads';

// tsx's ESM entry, resolved here (the worker's eval'd code has no module of its own to resolve from)
const TSX_API = import.meta.resolve('tsx/esm/api');
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(${JSON.stringify(TSX_API)}).then((tsx) => { tsx.register(); return import(workerData.entry); });
`;

export type WorkerListeners<M> = { message?: (msg: M) => void; error: (err: Error) => void; exit: (code: number) => void };

/**
 * Adds listeners and returns what removes them. Only our own listeners are removed: Worker keeps internal
 * 'newListener' hooks that removeAllListeners() would break. A 'message' listener refs the worker's port (keeps
 * the process alive): idle workers have none.
 */
export function listen<M>(worker: Worker, l: WorkerListeners<M>): () => void {
  if (l.message) worker.on('message', l.message);
  worker.on('error', l.error);
  worker.on('exit', l.exit);
  return () => {
    if (l.message) worker.off('message', l.message);
    worker.off('error', l.error);
    worker.off('exit', l.exit);
  };
}

/** Starts `entry` (a module URL) in a worker, unref'd, resolved once it says ready; `name` goes into the errors. */
export function startTsWorker(entry: string, opts: { name: string; startupLimitMs: number; resourceLimits?: ResourceLimits }): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { entry },
      // the parent's tsx flags do not work in a worker, and its other flags are none of the worker's business
      execArgv: [],
      resourceLimits: opts.resourceLimits,
    });
    worker.unref(); // an idle worker does not keep the process alive
    const fail = (err: Error) => {
      clearTimeout(timer);
      unlisten();
      void worker.terminate().catch(() => {});
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`the ${opts.name} did not start within ${opts.startupLimitMs / 1000} s`)), opts.startupLimitMs);
    const unlisten = listen<{ type: string }>(worker, {
      error: fail,
      exit: (code) => fail(new Error(`the ${opts.name} stopped at start (exit code ${code})`)),
      message: (msg) => {
        if (msg.type !== 'ready') return;
        clearTimeout(timer);
        unlisten();
        resolve(worker);
      },
    });
  });
}
