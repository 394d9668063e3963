// Signed-in test clients: a real user row and a real session (or API token), sent as the browser or a program would.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/client.ts';
import { insertApiToken, insertSession, insertUser, type UserView } from '../../db/queries/users.ts';
import type { Role } from '../../db/schema.ts';
import { SESSION_COOKIE } from '../../server/auth.ts';

interface Requester {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}

export interface TestClient {
  user: UserView;
  request(input: string, init?: RequestInit): Promise<Response>;
}

export interface SignInOptions {
  role?: Role;
  entityIds?: number[];
  email?: string;
  /** The app's clock (the session must be fresh at the app's "now"). */
  now?: Date;
  /** Sign with an API token of this scope instead of a session cookie. */
  token?: 'read' | 'admin';
}

const withHeader = (init: RequestInit | undefined, name: string, value: string): RequestInit => {
  const headers = new Headers(init?.headers);
  headers.set(name, value);
  return { ...init, headers };
};

/** A new user of the role (admin by default), signed in: requests carry its session cookie (or bearer token). */
export async function signedIn(app: Requester, db: Db, opts: SignInOptions = {}): Promise<TestClient> {
  const role = opts.role ?? 'admin';
  const user = await insertUser(db, {
    email: opts.email ?? `${role}-${randomBytes(4).toString('hex')}@test.mizan`,
    role,
    passwordHash: null,
    entityIds: opts.entityIds ?? [],
  });
  let header: [string, string];
  if (opts.token) {
    const { token } = await insertApiToken(db, user.id, 'test', opts.token);
    header = ['authorization', `Bearer ${token}`];
  } else {
    const token = await insertSession(db, user.id, { ip: null, userAgent: 'vitest', now: opts.now ?? new Date(), times: { idleMinutes: 120, maxHours: 12 } });
    header = ['cookie', `${SESSION_COOKIE}=${token}`];
  }
  return { user, request: async (input, init) => app.request(input, withHeader(init, header[0], header[1])) };
}
