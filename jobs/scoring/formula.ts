import type { Severity, Verdict } from './types.ts';

// The one scoring formula (README "Scoring"): shown in the UI through GET /api/rulebook.
export const SEVERITY_WEIGHTS: Record<Severity, number> = { low: 5, medium: 15, high: 40, critical: 100 };

export type ReviewStatus = 'open' | 'confirmed' | 'dismissed';

export interface WeighedFinding {
  severity: Severity;
  status?: ReviewStatus;
}

/**
 * Post score = max(0, 100 - sum of weights of open or confirmed findings).
 * Verdict: violation if any counted finding is high/critical or any is confirmed;
 * review if there are counted findings otherwise; clean when none count.
 */
export function computeScore(findings: readonly WeighedFinding[]): { score: number; verdict: Verdict } {
  let penalty = 0;
  let violation = false;
  let counted = 0;
  for (const f of findings) {
    const status = f.status ?? 'open';
    if (status === 'dismissed') continue;
    counted++;
    penalty += SEVERITY_WEIGHTS[f.severity];
    if (status === 'confirmed' || f.severity === 'high' || f.severity === 'critical') violation = true;
  }
  const score = Math.max(0, 100 - penalty);
  return { score, verdict: violation ? 'violation' : counted > 0 ? 'review' : 'clean' };
}

export const FORMULA_TEXT = {
  en: 'Post score = 100 − the weights of its open or confirmed findings (low 5, medium 15, high 40, critical 100), floored at 0. Verdict: violation when a finding is high or critical or has been confirmed; review when only low or medium findings await review; clean otherwise. Dismissed findings do not count. Entity score = mean post score over the period; compliance rate = share of posts that are not violations.',
  ar: 'درجة المنشور = 100 − أوزان الملاحظات المفتوحة أو المؤكدة (منخفضة 5، متوسطة 15، عالية 40، حرجة 100)، ولا تقل عن صفر. الحكم: مخالفة إذا وُجدت ملاحظة عالية أو حرجة أو ملاحظة مؤكدة؛ مراجعة إذا وُجدت ملاحظات منخفضة أو متوسطة فقط بانتظار المراجعة؛ سليم خلاف ذلك. الملاحظات المستبعدة لا تُحتسب. درجة الجهة = متوسط درجات منشوراتها في الفترة؛ نسبة الامتثال = نسبة المنشورات غير المخالفة.',
};
