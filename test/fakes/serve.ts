// Starts a Hono app on 127.0.0.1, port 0 (any free port), and returns its base URL and a close that also ends
// open keep-alive connections (so tests do not hang on them).
import type { AddressInfo } from 'node:net';
import { serve as honoServe, type HttpBindings } from '@hono/node-server';
import type { Hono } from 'hono';

export type FakeEnv = { Bindings: HttpBindings };

export interface Served {
  url: string;
  close(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function serve(app: Hono<any>): Promise<Served> {
  return new Promise((resolve) => {
    const server = honoServe({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            const s = server as unknown as { closeAllConnections?: () => void; close(cb: () => void): void };
            s.close(() => done());
            s.closeAllConnections?.();
          }),
      });
    });
  });
}
