// The heads of the trained models: what each predicts, the rule id of its findings, the category it
// reports into, and the rule text the UI and API show beside a model finding (like a rulebook rule).

import type { Category, RuleInfo } from '../types.ts';
import type { ModelLang } from './features.ts';

export type HeadId = 'offensive' | 'vulgar' | 'hate_beliefs' | 'hate_abuse';

export interface HeadDef {
  id: HeadId;
  rule: string;
  category: Category;
}

export const HEADS: Record<HeadId, HeadDef> = {
  offensive: { id: 'offensive', rule: 'model.abuse.offensive', category: 'abuse' },
  hate_abuse: { id: 'hate_abuse', rule: 'model.abuse.hate', category: 'abuse' },
  hate_beliefs: { id: 'hate_beliefs', rule: 'model.beliefs.hate', category: 'beliefs' },
  vulgar: { id: 'vulgar', rule: 'model.public_morals.vulgar', category: 'public_morals' },
};

/** Heads trained per language (the English data has no vulgar or religion/ideology labels). */
export const LANG_HEADS: Record<ModelLang, HeadId[]> = {
  ar: ['offensive', 'hate_abuse', 'hate_beliefs', 'vulgar'],
  en: ['offensive', 'hate_abuse'],
};

const NOTE_EN =
  ' A statistical model trained on public tweets flagged this post for review; the highlighted words weighed most in its estimate. It is a recall aid: a reviewer decides.';
const NOTE_AR =
  ' نموذج إحصائي مدرَّب على تغريدات عامة رشّح هذا المنشور للمراجعة؛ الكلمات المظللة هي الأكثر تأثيراً في تقديره. النموذج أداة مساعدة لالتقاط ما قد يفوت القواعد، والقرار للمراجع.';

/** Rule text of the model rules (severity is the default one; a finding above the high threshold is `high`). */
export const MODEL_RULES: RuleInfo[] = [
  {
    id: HEADS.offensive.rule,
    category: 'abuse',
    severity: 'medium',
    title: { ar: 'لغة مسيئة (نموذج)', en: 'Offensive language (model)' },
    explanation: {
      ar: 'يبدو أن المنشور يتضمن إساءة أو شتماً أو سخرية جارحة.' + NOTE_AR,
      en: 'The post appears to contain insults, profanity or hurtful mockery.' + NOTE_EN,
    },
  },
  {
    id: HEADS.hate_abuse.rule,
    category: 'abuse',
    severity: 'medium',
    title: { ar: 'خطاب كراهية ضد فئة (نموذج)', en: 'Hate against a group (model)' },
    explanation: {
      ar: 'يبدو أن المنشور يحط من فئة بسبب العرق أو الأصل أو الجنس أو الإعاقة أو الطبقة الاجتماعية.' + NOTE_AR,
      en: 'The post appears to demean a group for its race or origin, gender, disability or social class.' + NOTE_EN,
    },
  },
  {
    id: HEADS.hate_beliefs.rule,
    category: 'beliefs',
    severity: 'medium',
    title: { ar: 'إساءة لمعتقد أو رأي (نموذج)', en: 'Hate against a belief or opinion (model)' },
    explanation: {
      ar: 'يبدو أن المنشور يسيء إلى أتباع دين أو مذهب أو رأي سياسي.' + NOTE_AR,
      en: 'The post appears to insult followers of a religion, a sect or a political opinion.' + NOTE_EN,
    },
  },
  {
    id: HEADS.vulgar.rule,
    category: 'public_morals',
    severity: 'medium',
    title: { ar: 'ألفاظ بذيئة (نموذج)', en: 'Vulgar language (model)' },
    explanation: {
      ar: 'يبدو أن المنشور يتضمن ألفاظاً بذيئة أو إيحاءات جنسية.' + NOTE_AR,
      en: 'The post appears to contain vulgar or sexual language.' + NOTE_EN,
    },
  },
];
