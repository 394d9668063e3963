// The domain's vocabulary, read by db/, jobs/, server/ and web/ alike: the code of conduct's categories,
// severities and verdicts, account types, and the shapes of findings and rules as they are stored.
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
  /** model findings only: calibrated probability (0–1) */
  probability?: number;
  /** model findings only: the model version (content hash of the artifact) */
  model?: string;
  /** model findings only: the words that pushed the model most, on the original text, strongest first */
  evidence?: { start: number; end: number; weight: number }[];
}

/** What the UI and API show about a rule next to a finding. */
export interface RuleInfo {
  id: string;
  category: Category;
  severity: Severity;
  title: Bilingual;
  explanation: Bilingual;
}
