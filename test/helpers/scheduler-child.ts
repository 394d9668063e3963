// One Mizan scheduler process for test/integration/two-schedulers.test.ts: starts the scheduler on
// DATABASE_URL as server/main.ts does (start-up resume and catch-up runs), waits for the catch-up,
// stops, and prints one JSON line with its owner name and what it logged.
import { createDb } from '../../db/client.ts';
import { connectorsFor } from '../../jobs/connectors/registry.ts';
import { PROCESS_OWNER, startScheduler } from '../../jobs/schedule.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { loadConfig } from '../../jobs/config.ts';

const config = loadConfig();
const handle = await createDb({ databaseUrl: config.DATABASE_URL, poolSize: 4 });
const logs: string[] = [];
const scheduler = startScheduler({ db: handle.db, rulebook: loadRulebook(), connectors: connectorsFor(config), log: (m) => logs.push(m) }, config, { embedded: false });
await scheduler.caughtUp;
await scheduler.stop();
await handle.close();
console.log(JSON.stringify({ owner: PROCESS_OWNER, logs }));
