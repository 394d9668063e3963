// Kysely Migrator over a static list: used at start, by the CLI and by tests.
import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './client.ts';
import * as m0001 from './migrations/0001_initial.ts';
import * as m0002 from './migrations/0002_rulebook_publishing.ts';
import * as m0003 from './migrations/0003_account_import_interval.ts';
import * as m0004 from './migrations/0004_rollup_dirty.ts';
import * as m0005 from './migrations/0005_search_fold.ts';
import * as m0006 from './migrations/0006_bigint_engagement.ts';
import * as m0007 from './migrations/0007_search_index.ts';
import * as m0009 from './migrations/0009_import_runs.ts';
import * as m0008 from './migrations/0008_run_heartbeat_and_revisions.ts';
import * as m0010 from './migrations/0010_accounts_archive.ts';
import * as m0011 from './migrations/0011_users_review_audit.ts';
import * as m0012 from './migrations/0012_alerts.ts';
import * as m0013 from './migrations/0013_reports.ts';
import * as m0014 from './migrations/0014_account_pause.ts';
import * as m0015 from './migrations/0015_report_recipients.ts';
import * as m0016 from './migrations/0016_score_pending.ts';
import * as m0017 from './migrations/0017_entity_rollups.ts';
import * as m0018 from './migrations/0018_finding_model_detail.ts';
import * as m0019 from './migrations/0019_import_guard.ts';
import * as m0020 from './migrations/0020_score_run.ts';
import * as m0021 from './migrations/0021_finding_queue.ts';
import * as m0022 from './migrations/0022_dashboard_generation.ts';
import * as m0023 from './migrations/0023_rescore_sweep.ts';
import * as m0024 from './migrations/0024_deleted_posts_index.ts';
import * as m0025 from './migrations/0025_post_score_placed.ts';
import * as m0026 from './migrations/0026_finding_posted_at_when.ts';
import * as m0027 from './migrations/0027_search_index_pending.ts';
import * as m0028 from './migrations/0028_auth_generation.ts';
import * as m0029 from './migrations/0029_post_score_fillfactor.ts';
import * as m0030 from './migrations/0030_score_run_estimated.ts';

const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_rulebook_publishing': m0002,
  '0003_account_import_interval': m0003,
  '0004_rollup_dirty': m0004,
  '0005_search_fold': m0005,
  '0006_bigint_engagement': m0006,
  '0007_search_index': m0007,
  '0008_run_heartbeat_and_revisions': m0008,
  '0009_import_runs': m0009,
  '0010_accounts_archive': m0010,
  '0011_users_review_audit': m0011,
  '0012_alerts': m0012,
  '0013_reports': m0013,
  '0014_account_pause': m0014,
  '0015_report_recipients': m0015,
  '0016_score_pending': m0016,
  '0017_entity_rollups': m0017,
  '0018_finding_model_detail': m0018,
  '0019_import_guard': m0019,
  '0020_score_run': m0020,
  '0021_finding_queue': m0021,
  '0022_dashboard_generation': m0022,
  '0023_rescore_sweep': m0023,
  '0024_deleted_posts_index': m0024,
  '0025_post_score_placed': m0025,
  '0026_finding_posted_at_when': m0026,
  '0027_search_index_pending': m0027,
  '0028_auth_generation': m0028,
  '0029_post_score_fillfactor': m0029,
  '0030_score_run_estimated': m0030,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
