// A new model is a new rulebook version: a version published with an older model is stored again with
// the shipped model and put in force (and so rescored), on PGlite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { activateRulebookVersion, getActiveRulebook, listRulebookVersions } from '../../db/queries/rulebook.ts';
import { resolveActiveRulebook } from '../../jobs/rulebook-store.ts';
import { loadRulebook, MODEL_SOURCE, modelOf, rulebookVersion } from '../../jobs/scoring/engine.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const defaults = loadRulebook();

describe.each(BACKENDS)('model versions in the rulebook store on %s', (kind) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await testDb(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  test('a published version built with an older model comes back with the shipped one, as a new version', async () => {
    // a publication of the default rules (plus nothing) made when another model was shipped
    const oldSources = { ...defaults.sources, [MODEL_SOURCE]: 'm-000000000000' };
    const old = { version: rulebookVersion(oldSources, { model: null }), sources: oldSources, rules: defaults.rules };
    await activateRulebookVersion(h.db, old, 'api', 'published last month');
    const rb = await resolveActiveRulebook(h.db, defaults);
    expect(modelOf(rb)?.version).toBe(modelOf(defaults)!.version);
    expect(rb.version).not.toBe(old.version);
    const active = await getActiveRulebook(h.db);
    expect(active?.version).toBe(rb.version);
    expect(active?.origin).toBe('api');
    expect(active?.sources[MODEL_SOURCE]).toBe(modelOf(defaults)!.version);
    expect(active?.rules.some((r) => r.id === 'model.abuse.offensive')).toBe(true);
    const versions = await listRulebookVersions(h.db);
    expect(versions.find((v) => v.version === rb.version)?.replaced).toBe(old.version);
    // resolving again changes nothing
    expect((await resolveActiveRulebook(h.db, defaults)).version).toBe(rb.version);
    expect((await listRulebookVersions(h.db)).length).toBe(2);
  });
});
