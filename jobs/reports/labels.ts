// The reports' words in both languages, and the formatting of figures and dates (Gregorian and Hijri).
import type { Category } from '../../db/vocabulary.ts';

export type Lang = 'ar' | 'en';
/** Digits of Arabic reports: 'latn' 0-9 (as the dashboard shows them) or 'arab' ٠-٩. */
export type Digits = 'latn' | 'arab';

const en = {
  sectorTitle: 'Public-sector social media compliance report',
  entityTitle: 'Social media compliance report',
  month: 'Month',
  hijri: 'Hijri',
  generatedAt: 'Generated',
  rulebook: 'Rulebook version',
  openInMizan: 'Open in Mizan',
  summary: 'Summary',
  score: 'Compliance score',
  rate: 'Compliance rate',
  change: 'Change from previous month',
  rateChange: 'Change in compliance rate',
  rank: 'Rank among entities',
  rankOf: '{rank} of {n}',
  posts: 'Posts',
  clean: 'Clean',
  review: 'Needs review',
  violations: 'Violations',
  findings: 'Findings',
  entities: 'Entities',
  accounts: 'Accounts',
  dormantAccounts: 'Dormant official accounts',
  sectorMedian: 'Sector median score',
  byAccount: 'Posts by account',
  byPlatform: 'Posts by platform',
  platform: 'Platform',
  account: 'Account',
  type: 'Type',
  byCategory: 'Findings by category',
  bySeverity: 'Findings by severity',
  category: 'Category',
  severity: 'Severity',
  reviewStatus: 'Review status of the findings',
  status: 'Status',
  open: 'Open',
  confirmed: 'Confirmed',
  dismissed: 'Dismissed',
  responded: 'Responded to',
  flagged: 'Most severe flagged posts',
  noFlagged: 'No post was flagged this month.',
  dormant: 'Dormant official accounts (no post in the last 30 days of the month)',
  noDormant: 'None.',
  lastPost: 'Last post',
  never: 'never',
  deletedAfterFlagged: 'Posts deleted after being flagged',
  noDeleted: 'None.',
  trend: '12-month trend',
  trendScore: 'Score',
  trendPosts: 'Posts',
  league: 'League table',
  entity: 'Entity',
  entityAr: 'Entity (Arabic)',
  entityEn: 'Entity (English)',
  previousScore: 'Previous month',
  improved: 'Improved most',
  worsened: 'Worsened most',
  noChange: 'No entity could be compared with the previous month.',
  postedAt: 'Posted',
  rule: 'Rule',
  evidence: 'Evidence',
  context: 'Context',
  link: 'Link',
  probability: 'Model probability',
  modelVersion: 'Model version',
  yes: 'Yes',
  no: 'No',
  none: '—',
  page: 'Page',
  notes: 'Figures are those of the Mizan dashboard for the same entity and month (posts by local date, each scored by the rulebook version shown).',
  slug: 'Slug',
  sector: 'Public sector',
  accountType: { official: 'Official', executive: 'Executive (personal)', employee: 'Employee (personal)' } as Record<string, string>,
  severityName: { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' } as Record<string, string>,
  statusName: { open: 'Open', confirmed: 'Confirmed', dismissed: 'Dismissed' } as Record<string, string>,
  categoryName: {
    confidentiality: 'Confidentiality',
    personal_data: 'Personal data',
    abuse: 'Abuse and insults',
    beliefs: 'Beliefs and opinions',
    public_morals: 'Public morals',
    reputation: 'Reputation',
    infosec: 'Information security',
    misuse_of_position: 'Misuse of position',
    disclaimer: 'Disclaimer',
  } as Record<Category | string, string>,
  platformName: {
    x: 'X', instagram: 'Instagram', facebook: 'Facebook', youtube: 'YouTube', mastodon: 'Mastodon', bluesky: 'Bluesky', rss: 'News feed', file: 'File import',
  } as Record<string, string>,
  sheets: { summary: 'Summary', accounts: 'Accounts', findings: 'Findings', entities: 'Entities' },
};

export type Labels = typeof en;

const ar: Labels = {
  sectorTitle: 'تقرير التزام القطاع العام في وسائل التواصل الاجتماعي',
  entityTitle: 'تقرير الالتزام في وسائل التواصل الاجتماعي',
  month: 'الشهر',
  hijri: 'بالهجري',
  generatedAt: 'تاريخ الإنشاء',
  rulebook: 'إصدار دليل القواعد',
  openInMizan: 'افتح في ميزان',
  summary: 'الملخص',
  score: 'درجة الالتزام',
  rate: 'نسبة الالتزام',
  change: 'التغير عن الشهر السابق',
  rateChange: 'التغير في نسبة الالتزام',
  rank: 'الترتيب بين الجهات',
  rankOf: '{rank} من {n}',
  posts: 'المنشورات',
  clean: 'سليم',
  review: 'يحتاج مراجعة',
  violations: 'المخالفات',
  findings: 'الملاحظات',
  entities: 'الجهات',
  accounts: 'الحسابات',
  dormantAccounts: 'الحسابات الرسمية الخاملة',
  sectorMedian: 'وسيط درجات القطاع',
  byAccount: 'المنشورات حسب الحساب',
  byPlatform: 'المنشورات حسب المنصة',
  platform: 'المنصة',
  account: 'الحساب',
  type: 'النوع',
  byCategory: 'الملاحظات حسب الفئة',
  bySeverity: 'الملاحظات حسب الخطورة',
  category: 'الفئة',
  severity: 'الخطورة',
  reviewStatus: 'حالة مراجعة الملاحظات',
  status: 'الحالة',
  open: 'بانتظار المراجعة',
  confirmed: 'مؤكدة',
  dismissed: 'مرفوضة',
  responded: 'تم الرد عليها',
  flagged: 'أشد المنشورات المرصودة خطورة',
  noFlagged: 'لم يُرصد أي منشور هذا الشهر.',
  dormant: 'الحسابات الرسمية الخاملة (لا منشور في آخر 30 يوماً من الشهر)',
  noDormant: 'لا يوجد.',
  lastPost: 'آخر منشور',
  never: 'لا يوجد',
  deletedAfterFlagged: 'منشورات حُذفت بعد رصدها',
  noDeleted: 'لا يوجد.',
  trend: 'الاتجاه خلال 12 شهراً',
  trendScore: 'الدرجة',
  trendPosts: 'المنشورات',
  league: 'ترتيب الجهات',
  entity: 'الجهة',
  entityAr: 'الجهة (بالعربية)',
  entityEn: 'الجهة (بالإنجليزية)',
  previousScore: 'الشهر السابق',
  improved: 'الأكثر تحسناً',
  worsened: 'الأكثر تراجعاً',
  noChange: 'لا توجد جهة يمكن مقارنتها بالشهر السابق.',
  postedAt: 'تاريخ النشر',
  rule: 'القاعدة',
  evidence: 'الدليل',
  context: 'السياق',
  link: 'الرابط',
  probability: 'احتمال النموذج',
  modelVersion: 'إصدار النموذج',
  yes: 'نعم',
  no: 'لا',
  none: '—',
  page: 'صفحة',
  notes: 'الأرقام هي أرقام لوحة ميزان للجهة والشهر نفسيهما (المنشورات حسب التاريخ المحلي، وكل منشور مقيّم بإصدار دليل القواعد المبيّن).',
  slug: 'المعرّف',
  sector: 'القطاع العام',
  accountType: { official: 'رسمي', executive: 'شخصي لمسؤول', employee: 'شخصي لموظف' },
  severityName: { low: 'منخفضة', medium: 'متوسطة', high: 'عالية', critical: 'حرجة' },
  statusName: { open: 'بانتظار المراجعة', confirmed: 'مؤكدة', dismissed: 'مرفوضة' },
  categoryName: {
    confidentiality: 'السرية',
    personal_data: 'البيانات الشخصية',
    abuse: 'الإساءة والتجريح',
    beliefs: 'المعتقدات والآراء',
    public_morals: 'الآداب العامة',
    reputation: 'السمعة',
    infosec: 'أمن المعلومات',
    misuse_of_position: 'استغلال الوظيفة',
    disclaimer: 'إخلاء المسؤولية',
  },
  platformName: {
    x: 'إكس', instagram: 'إنستغرام', facebook: 'فيسبوك', youtube: 'يوتيوب', mastodon: 'ماستودون', bluesky: 'بلوسكاي', rss: 'موجز أخبار', file: 'ملف مستورد',
  },
  sheets: { summary: 'الملخص', accounts: 'الحسابات', findings: 'الملاحظات', entities: 'الجهات' },
};

export const LABELS: Record<Lang, Labels> = { en, ar };

/** Formatting of one report: its language, digits and time zone. */
export class Fmt {
  readonly t: Labels;
  readonly #num: Intl.NumberFormat;
  readonly #locale: string;

  constructor(
    readonly lang: Lang,
    readonly digits: Digits,
    readonly timeZone: string,
  ) {
    this.t = LABELS[lang];
    this.#locale = lang === 'ar' ? `ar-BH-u-nu-${digits}` : 'en-GB-u-nu-latn';
    // No grouping: a count reads the same in the report as in the API (1234, not 1,234).
    this.#num = new Intl.NumberFormat(this.#locale, { maximumFractionDigits: 1, useGrouping: false });
  }

  num(n: number | null | undefined): string {
    return n === null || n === undefined ? this.t.none : this.#num.format(n);
  }

  /** A compliance rate (0..1) as a percentage with one decimal. */
  pct(rate: number | null | undefined): string {
    return rate === null || rate === undefined ? this.t.none : `${this.#num.format(Math.round(rate * 1000) / 10)}%`;
  }

  /** A change with its sign and arrow: ▲ +2.5, ▼ −1, = 0. */
  change(n: number | null | undefined, unit = ''): string {
    if (n === null || n === undefined) return this.t.none;
    if (n === 0) return `= ${this.num(0)}${unit}`;
    return `${n > 0 ? '▲ +' : '▼ −'}${this.num(Math.abs(n))}${unit}`;
  }

  text(template: string, values: Record<string, string>): string {
    return template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');
  }

  /** "October 2026" / "أكتوبر 2026" for YYYY-MM. */
  monthName(month: string): string {
    return new Intl.DateTimeFormat(this.#locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${month}-01T00:00:00Z`));
  }

  /** A local date (YYYY-MM-DD) in the Umm al-Qura calendar. */
  hijri(day: string): string {
    const locale = this.lang === 'ar' ? `ar-SA-u-ca-islamic-umalqura-nu-${this.digits}` : 'en-u-ca-islamic-umalqura-nu-latn';
    return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
  }

  /** A local date as YYYY-MM-DD (digits as chosen). */
  date(iso: string | Date): string {
    const d = typeof iso === 'string' ? new Date(iso) : iso;
    const parts = new Intl.DateTimeFormat('en-CA', { timeZone: this.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
    return this.digitsOf(parts);
  }

  dateTime(d: Date): string {
    const s = new Intl.DateTimeFormat('en-CA', { timeZone: this.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
    return this.digitsOf(s.replace(',', ''));
  }

  digitsOf(s: string): string {
    return this.lang === 'ar' && this.digits === 'arab' ? s.replace(/\d/g, (c) => '٠١٢٣٤٥٦٧٨٩'[Number(c)]) : s;
  }

  category(c: string): string {
    return this.t.categoryName[c] ?? c;
  }

  platform(p: string): string {
    return this.t.platformName[p] ?? p;
  }
}
