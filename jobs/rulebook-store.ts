// The rulebook in force lives in the database. The default files seed it (and a new release of the
// files replaces a version that came from files); a version published through the API stays in force
// until another is published.
import type { Db } from '../db/client.ts';
import { activateRulebookVersion, getActiveRulebook } from '../db/queries/rulebook.ts';
import { MODEL_SOURCE, parseRulebook, type Rulebook } from './scoring/engine.ts';
import type { RuleInfo } from '../db/vocabulary.ts';

// Compiling a rulebook takes a few hundred milliseconds: each stored version is compiled once.
const compiled = new Map<string, Rulebook>();
const KEEP_COMPILED = 4;

function remember(rb: Rulebook): Rulebook {
  compiled.delete(rb.version);
  compiled.set(rb.version, rb);
  if (compiled.size > KEEP_COMPILED) compiled.delete(compiled.keys().next().value!);
  return rb;
}

/** The compiled rulebook of a stored version (its sources are already validated). */
export function compiledRulebook(stored: { version: string; sources: Record<string, string> }): Rulebook {
  return compiled.get(stored.version) ?? remember(parseRulebook(stored.sources));
}

export async function resolveActiveRulebook(db: Db, defaults: Rulebook): Promise<Rulebook> {
  const active = await getActiveRulebook(db);
  if (!active || (active.origin === 'files' && active.version !== defaults.version)) {
    await activateRulebookVersion(db, defaults, 'files');
    return defaults;
  }
  if (active.version === defaults.version) return defaults;
  const rb = compiledRulebook(active);
  if (rb.version !== active.version) {
    // A published version built with an older model: the same rules with the shipped model are a new
    // version, stored and put in force like a publication, so posts are rescored and verdict changes listed.
    await activateRulebookVersion(db, rb, 'api', `model ${rb.sources[MODEL_SOURCE] ?? 'removed'} with the rules of ${active.version}`);
  }
  return rb;
}

/** Publishes a checked rulebook (see checkRulebookDraft): it is in force from now on. */
export async function publishRulebook(
  db: Db,
  rb: { version: string; sources: Record<string, string>; rules: RuleInfo[] },
  note: string | null,
): Promise<{ version: string; rules: RuleInfo[]; replaced: string | null }> {
  const { replaced } = await activateRulebookVersion(db, rb, 'api', note);
  return { version: rb.version, rules: rb.rules, replaced };
}

/** Puts the shipped default rulebook back in force (it then follows the files again, as on a new install). */
export async function restoreDefaultRulebook(db: Db, defaults: Rulebook): Promise<{ version: string; replaced: string | null }> {
  const { replaced } = await activateRulebookVersion(db, defaults, 'files', 'default rulebook restored');
  return { version: defaults.version, replaced };
}
