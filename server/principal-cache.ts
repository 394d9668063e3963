// The callers behind session cookies and API tokens, kept in memory for a short while. Without it every request costs a
// database round trip before its answer, even a dashboard answer served from memory (server/dashboard-cache.ts): at 200
// connections that read was most of what the database did. A kept sign-in is used only for reads (GET, HEAD), only
// until the trustUntil its read gave (expiry, idle limit, the next last-seen mark a minute on), and only while the
// auth generation (migration 0028: triggers bump it at commit on any change of users, their entities, sessions or
// tokens) is the one read before it was looked up. A change made through this process ends it for the next request;
// one made elsewhere (the CLI, another server, psql) within GENERATION_TRUST_MS (db/queries/generations.ts). Writes always read the database.
import { createHash } from 'node:crypto';
import { watchGeneration } from '../db/queries/generations.ts';
import type { SignIn } from '../db/queries/users.ts';
import type { Db } from '../db/client.ts';

/** At most this many sign-ins kept (the oldest dropped first): a user has a few, a country's public sector thousands. */
const MAX_ENTRIES = 20_000;

interface Entry {
  signIn: SignIn;
  generation: number;
}

export function principalCache(db: Db) {
  const entries = new Map<string, Entry>();
  const generation = watchGeneration(db, 'auth_generation');

  /**
   * The caller behind `credential` (kind: 'session' or 'token'), from memory when `kept` (a read) and still trusted at
   * `now`; otherwise from `lookUp`, kept when found. Null when there is none.
   */
  async function principal(kind: 'session' | 'token', credential: string, now: Date, kept: boolean, lookUp: () => Promise<SignIn | null>) {
    // The key is a hash: the credentials themselves are not kept in memory longer than the request.
    const key = `${kind}:${createHash('sha256').update(credential).digest('base64url')}`;
    const current = await generation.current();
    const entry = entries.get(key);
    if (kept && entry && entry.generation >= current && now < entry.signIn.trustUntil) return entry.signIn.principal;
    entries.delete(key);
    const signIn = await lookUp();
    if (!signIn) return null;
    entries.set(key, { signIn, generation: current });
    if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    return signIn.principal;
  }

  return { principal };
}
