// The scoring engine's public contract: pure data in, pure data out, no database.
export const CATEGORIES = [
  'confidentiality',
  'personal_data',
  'abuse',
  'beliefs',
  'public_morals',
  'reputation',
  'infosec',
  'misuse_of_position',
  'disclaimer',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const VERDICTS = ['clean', 'review', 'violation'] as const;
export type Verdict = (typeof VERDICTS)[number];

export type AccountType = 'official' | 'executive' | 'employee';
export type Lang = 'ar' | 'en';

export interface Bilingual {
  ar: string;
  en: string;
}

/** One finding: `text.slice(start, end) === match` on the original (un-normalized) text. */
export interface Finding {
  rule: string;
  category: Category;
  severity: Severity;
  start: number;
  end: number;
  match: string;
}

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

/** What the UI and API show about a rule next to a finding. */
export interface RuleInfo {
  id: string;
  category: Category;
  severity: Severity;
  title: Bilingual;
  explanation: Bilingual;
}
