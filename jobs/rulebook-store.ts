// The rulebook in force lives in the database. The default files seed it (and a new release of the
// files replaces a version that came from files); a version published through the API stays in force
// until another is published.
import type { Db } from '../db/client.ts';
import { activateRulebookVersion, getActiveRulebook } from '../db/queries/rulebook.ts';
import { parseRulebook, type Rulebook } from './scoring/engine.ts';

const compiled = new Map<string, Rulebook>();

export async function resolveActiveRulebook(db: Db, defaults: Rulebook): Promise<Rulebook> {
  const active = await getActiveRulebook(db);
  if (!active || (active.origin === 'files' && active.version !== defaults.version)) {
    await activateRulebookVersion(db, defaults, 'files');
    return defaults;
  }
  if (active.version === defaults.version) return defaults;
  let rb = compiled.get(active.version);
  if (!rb) {
    rb = parseRulebook(active.sources);
    compiled.set(active.version, rb);
  }
  return rb;
}

/** Validates and publishes a rulebook from its sources; throws RulebookError and leaves the old one in force. */
export async function publishRulebook(db: Db, sources: Record<string, string>, note: string | null): Promise<Rulebook> {
  const rb = parseRulebook(sources);
  await activateRulebookVersion(db, rb, 'api', note);
  compiled.set(rb.version, rb);
  return rb;
}
