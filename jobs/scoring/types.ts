// The scoring engine's public contract: pure data in, pure data out, no database. The vocabulary it
// speaks (categories, severities, findings) is db/vocabulary.ts, shared with the rest of Mizan.
import type { AccountType, Finding, Verdict } from '../../db/vocabulary.ts';

export * from '../../db/vocabulary.ts';

export type Lang = 'ar' | 'en';

export interface ScoreInput {
  text: string;
  lang?: Lang;
  accountType?: AccountType;
}

export interface ScoreResult {
  score: number;
  verdict: Verdict;
  findings: Finding[];
}
