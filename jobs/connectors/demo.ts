// The demo connector: a deterministic, seeded stream of invented posts for the invented entities of
// demo-data.ts. Which posts exist is a pure function of (account key, minute slot); a fetch only
// decides which of them fall into its window, so covering a period in one call or in many gives the
// same posts. See docs/code-of-conduct.md ("Demo and test data"): everything here is made up.
import type { Category } from '../../db/vocabulary.ts';
import type { Connector, ConnectorAccount, FetchContext, FetchPage, ImportedPost, PostMetrics } from './types.ts';
import { DEMO_ENTITIES, type DemoAccount, type DemoEntity, type DemoSector } from './demo-data.ts';

// ---------------------------------------------------------------------------------------------
// Accounts

export function demoAccountKey(entitySlug: string, handle: string): string {
  return `${entitySlug}/${handle}`;
}

export interface DemoAccountInfo {
  key: string;
  /** Position in the flattened list of all demo accounts (drives the live-post rotation). */
  index: number;
  entity: DemoEntity;
  account: DemoAccount;
  seed: number;
  dormantMs: number | null;
  officialHandle: string;
}

export const DEMO_ACCOUNTS: DemoAccountInfo[] = [];
const BY_KEY = new Map<string, DemoAccountInfo>();
for (const entity of DEMO_ENTITIES) {
  const official = entity.accounts.find((a) => a.type === 'official' && a.platform === 'x') ?? entity.accounts[0];
  for (const account of entity.accounts) {
    const key = demoAccountKey(entity.slug, account.handle);
    if (BY_KEY.has(key)) throw new Error(`duplicate demo account key ${key}`);
    const info: DemoAccountInfo = {
      key,
      index: DEMO_ACCOUNTS.length,
      entity,
      account,
      seed: fnv1a(key),
      dormantMs: account.dormantSince ? Date.parse(account.dormantSince) : null,
      officialHandle: official.handle,
    };
    DEMO_ACCOUNTS.push(info);
    BY_KEY.set(key, info);
  }
}

export function findDemoAccount(key: string): DemoAccountInfo | undefined {
  return BY_KEY.get(key);
}

// ---------------------------------------------------------------------------------------------
// Hashing: small, fast 32-bit integer hashes (no Math.random anywhere).

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Hash of (seed, slot, salt) to a uint32. */
function h3(seed: number, slot: number, salt: number): number {
  let h = (seed ^ Math.imul(salt + 0x632be5ab, 0x85ebca6b)) >>> 0;
  h ^= Math.imul(slot, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

type Rng = () => number;

function mulberry32(a: number): Rng {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)];
}
function int(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}
function pickWeighted<T extends string>(rng: Rng, weights: Partial<Record<T, number>>): T {
  const entries = Object.entries(weights) as [T, number][];
  let total = 0;
  for (const [, w] of entries) total += w;
  let u = rng() * total;
  for (const [k, w] of entries) {
    u -= w;
    if (u < 0) return k;
  }
  return entries[entries.length - 1][0];
}

// ---------------------------------------------------------------------------------------------
// Calendar: Bahrain time (UTC+3, no daylight saving), Islamic occasions, National Day.

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const BAHRAIN_OFFSET = 3 * HOUR;

const dayIndex = (iso: string): number => Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY);

/** Gregorian dates of Ramadan (first and last day, as observed in Bahrain; approximate for future years). */
export const RAMADAN: readonly { year: number; start: string; end: string }[] = [
  { year: 2024, start: '2024-03-11', end: '2024-04-09' },
  { year: 2025, start: '2025-03-01', end: '2025-03-29' },
  { year: 2026, start: '2026-02-18', end: '2026-03-19' },
  { year: 2027, start: '2027-02-08', end: '2027-03-09' },
];
/** First day of Eid al-Fitr; the holiday lasts three days. */
export const EID_AL_FITR: readonly string[] = ['2024-04-10', '2025-03-30', '2026-03-20', '2027-03-10'];
/** First day of Eid al-Adha (10 Dhu al-Hijjah); the holiday lasts four days with Arafat day before. */
export const EID_AL_ADHA: readonly string[] = ['2024-06-16', '2025-06-06', '2026-05-27', '2027-05-16'];
/** Bahrain National Day: 16 and 17 December every year. */
export const NATIONAL_DAY = { month: 12, days: [16, 17] } as const;

export type Occasion = 'ramadan' | 'eid-fitr' | 'eid-adha' | 'national-day' | 'pre-national-day' | null;

const RAMADAN_DAYS = RAMADAN.map((r) => [dayIndex(r.start), dayIndex(r.end)] as const);
const FITR_DAYS = EID_AL_FITR.map(dayIndex);
const ADHA_DAYS = EID_AL_ADHA.map(dayIndex);

const occasionCache = new Map<number, Occasion>();
/** The occasion of a Bahrain-local day (days since epoch). */
export function occasionOfDay(d: number): Occasion {
  const cached = occasionCache.get(d);
  if (cached !== undefined) return cached;
  let o: Occasion = null;
  if (RAMADAN_DAYS.some(([a, b]) => d >= a && d <= b)) o = 'ramadan';
  else if (FITR_DAYS.some((a) => d >= a && d <= a + 2)) o = 'eid-fitr';
  else if (ADHA_DAYS.some((a) => d >= a - 1 && d <= a + 3)) o = 'eid-adha';
  else {
    const date = new Date(d * DAY);
    if (date.getUTCMonth() === 11) {
      const dd = date.getUTCDate();
      if (dd === 16 || dd === 17) o = 'national-day';
      else if (dd >= 10 && dd <= 18) o = 'pre-national-day';
    }
  }
  occasionCache.set(d, o);
  return o;
}

function normalize(xs: number[]): number[] {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.map((x) => x / mean);
}
// Posting intensity by Bahrain hour of day (mean 1): quiet 00:00-07:00, peaks mid-morning and evening.
const HOURS_NORMAL = normalize([
  0.15, 0.07, 0.04, 0.03, 0.03, 0.06, 0.25, 0.8, 1.6, 2.1, 2.2, 1.9, 1.5, 1.3, 1.1, 0.9, 0.9, 1.1, 1.4, 1.8, 2.0, 1.7,
  1.1, 0.5,
]);
// Ramadan: later mornings, busy nights after iftar.
const HOURS_RAMADAN = normalize([
  1.0, 0.6, 0.3, 0.12, 0.06, 0.04, 0.04, 0.1, 0.4, 1.0, 1.4, 1.5, 1.3, 1.1, 0.9, 0.8, 0.8, 0.9, 1.4, 2.0, 2.3, 2.3, 2.0,
  1.5,
]);
const OCCASION_FACTOR: Record<Exclude<Occasion, null>, number> = {
  ramadan: 1.3,
  'eid-fitr': 1.5,
  'eid-adha': 1.4,
  'national-day': 1.8,
  'pre-national-day': 1.25,
};

/** Probability that a given minute holds a post, for the hour that starts at `hourSlot` (minutes since epoch). */
function minuteProbability(info: DemoAccountInfo, hourSlot: number): number {
  const ms = hourSlot * MINUTE;
  if (info.dormantMs !== null && ms >= info.dormantMs) return 0;
  const local = ms + BAHRAIN_OFFSET;
  const d = Math.floor(local / DAY);
  const hour = Math.floor(local / HOUR) % 24;
  const occ = occasionOfDay(d);
  const weekday = (d + 4) % 7; // 0 = Sunday; Friday and Saturday are the weekend
  const isOfficial = info.account.type === 'official';
  let f = occ ? OCCASION_FACTOR[occ] : 1;
  if (weekday === 5) f *= isOfficial ? 0.55 : 1.1;
  else if (weekday === 6) f *= isOfficial ? 0.65 : 1.05;
  else if (isOfficial) f *= 1.12;
  const month = new Date(d * DAY).getUTCMonth();
  if (month === 6 || month === 7) f *= 0.85; // summer holidays
  const profile = occ === 'ramadan' ? HOURS_RAMADAN : HOURS_NORMAL;
  return Math.min(0.5, (info.account.activity / 1440) * profile[hour] * f);
}

// ---------------------------------------------------------------------------------------------
// Slot generation

const SALT_EXISTS = 1;
const SALT_SECOND = 2;
const SALT_CONTENT = 3;
const SALT_FATE = 4;
const SALT_VIOLATION = 5;
const SALT_ID = 6;
const SALT_ID2 = 7;
const SALT_METRICS = 8;

function postTimeOf(info: DemoAccountInfo, slot: number): number {
  return slot * MINUTE + (h3(info.seed, slot, SALT_SECOND) % 60) * 1000;
}

function slotHasPost(info: DemoAccountInfo, slot: number): boolean {
  const p = minuteProbability(info, Math.floor(slot / 60) * 60);
  return h3(info.seed, slot, SALT_EXISTS) < p * 4294967296;
}

/** Minute slots whose post time lies in [loMs, hiMs). */
export function demoSlotsBetween(info: DemoAccountInfo, loMs: number, hiMs: number): number[] {
  const out: number[] = [];
  if (hiMs <= loMs) return out;
  const s0 = Math.floor(loMs / MINUTE);
  const s1 = Math.floor((hiMs - 1) / MINUTE);
  for (let hourStart = Math.floor(s0 / 60) * 60; hourStart <= s1; hourStart += 60) {
    const p = minuteProbability(info, hourStart);
    if (p <= 0) continue;
    const threshold = p * 4294967296;
    const a = Math.max(s0, hourStart);
    const b = Math.min(s1, hourStart + 59);
    for (let s = a; s <= b; s++) {
      if (h3(info.seed, s, SALT_EXISTS) < threshold) {
        const t = postTimeOf(info, s);
        if (t >= loMs && t < hiMs) out.push(s);
      }
    }
  }
  return out;
}

const VIOLATION_RATE: Record<DemoAccount['type'], number> = { official: 0.08, executive: 0.15, employee: 0.24 };

function isViolationSlot(info: DemoAccountInfo, slot: number): boolean {
  return h3(info.seed, slot, SALT_VIOLATION) < VIOLATION_RATE[info.account.type] * 4294967296;
}

export type DemoFate = { kind: 'none' } | { kind: 'edit' | 'delete'; delayMs: number };

/** Whether a post is later edited or deleted, and when; deleted posts are more often violations. */
export function demoFate(info: DemoAccountInfo, slot: number): DemoFate {
  const r = mulberry32(h3(info.seed, slot, SALT_FATE));
  const u = r();
  const v = isViolationSlot(info, slot);
  const pDelete = v ? 0.02 : 0.0012;
  const pEdit = v ? 0.04 : 0.0075;
  if (u < pDelete) return { kind: 'delete', delayMs: DAY + int(r, 0, 180) * MINUTE };
  if (u < pDelete + pEdit) return { kind: 'edit', delayMs: int(r, 1, 12) * HOUR + int(r, 0, 59) * MINUTE };
  return { kind: 'none' };
}
const MAX_EVENT_DELAY = DAY + 181 * MINUTE;

// ---------------------------------------------------------------------------------------------
// Phrase banks

interface Pair {
  ar: string;
  en: string;
}
const P = (ar: string, en: string): Pair => ({ ar, en });

const PLACES: Pair[] = [
  P('المنامة', 'Manama'),
  P('المحرق', 'Muharraq'),
  P('الرفاع', 'Riffa'),
  P('مدينة عيسى', 'Isa Town'),
  P('سترة', 'Sitra'),
  P('مدينة حمد', 'Hamad Town'),
  P('عالي', "A'ali"),
  P('البديع', 'Budaiya'),
  P('الحد', 'Hidd'),
  P('جدحفص', 'Jidhafs'),
  P('سار', 'Saar'),
  P('الزلاق', 'Zallaq'),
  P('عسكر', 'Askar'),
  P('الدراز', 'Diraz'),
  P('توبلي', 'Tubli'),
  P('عراد', 'Arad'),
  P('الجفير', 'Juffair'),
  P('السنابس', 'Sanabis'),
  P('مدينة سلمان', 'Salman City'),
  P('عوالي', 'Awali'),
];
const VENUES: Pair[] = [
  P('مركز المؤتمرات بالمقر الرئيسي', 'the main building conference centre'),
  P('قاعة الاحتفالات الكبرى', 'the Grand Hall'),
  P('مركز الشباب', 'the youth centre'),
  P('المكتبة العامة', 'the public library'),
  P('الحديقة العامة', 'the public park'),
  P('مركز المعارض', 'the exhibition centre'),
  P('الممشى البحري', 'the seafront walk'),
];
const MONTHS_AR = ['يناير', 'فبراير', 'مارس', 'أبريل', 'مايو', 'يونيو', 'يوليو', 'أغسطس', 'سبتمبر', 'أكتوبر', 'نوفمبر', 'ديسمبر'];
const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS_AR = ['الأحد', 'الاثنين', 'الثلاثاء', 'الأربعاء', 'الخميس', 'الجمعة', 'السبت'];
const DAYS_EN = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const FIRST_NAMES: Pair[] = [
  P('محمد', 'Mohamed'),
  P('أحمد', 'Ahmed'),
  P('فاطمة', 'Fatima'),
  P('زينب', 'Zainab'),
  P('حسن', 'Hasan'),
  P('عبدالله', 'Abdulla'),
  P('مريم', 'Maryam'),
  P('يوسف', 'Yousif'),
  P('نوف', 'Nouf'),
  P('جاسم', 'Jassim'),
  P('حسين', 'Hussain'),
  P('منيرة', 'Muneera'),
  P('عيسى', 'Isa'),
  P('ليلى', 'Layla'),
  P('علي', 'Ali'),
  P('شيخة', 'Shaikha'),
  P('راشد', 'Rashid'),
  P('هيا', 'Haya'),
  P('إبراهيم', 'Ebrahim'),
  P('سلوى', 'Salwa'),
];
const HANDLE_PARTS = ['bu', 'um', 'abu', 'the', 'its', 'mr', 'dr', 'real', 'bh'];
const SHOPS: Pair[] = [
  P('مقهى سدرة الصباح', 'Sidra Morning Café'),
  P('عطور دانة بلوم', 'Dana Bloom Perfumes'),
  P('مخبز بيت النخلة', 'Bayt Al Nakhla Bakery'),
  P('نادي سند للياقة', 'Sanad Fitness Club'),
  P('مرسى الأزرق للغوص', 'Marsa Blue Diving'),
  P('مطعم سمك الفريج', 'Fareej Fish Kitchen'),
];
const DECEASED: Pair[] = [
  P('الحاج عبدالرحمن يوسف', 'Haj Abdulrahman Yousif'),
  P('المرحوم سعيد محمد', 'the late Saeed Mohamed'),
  P('المرحومة أم علي', 'the late Um Ali'),
  P('المرحوم خليل إبراهيم', 'the late Khalil Ebrahim'),
  P('زميلنا المرحوم حسن عيسى', 'our colleague, the late Hasan Isa'),
];

interface SectorBank {
  svc: Pair[];
  topic: Pair[];
  proj: Pair[];
  tags: Pair;
  tpl: Pair[];
}

const SECTORS: Record<DemoSector, SectorBank> = {
  health: {
    svc: [
      P('حجز المواعيد في المراكز الصحية', 'booking health-centre appointments'),
      P('تجديد الوصفات الطبية', 'renewing prescriptions'),
      P('طلب التقارير الطبية', 'requesting medical reports'),
      P('شهادة اللياقة الصحية', 'the health fitness certificate'),
      P('سجل التطعيمات', 'the vaccination record'),
    ],
    topic: [
      P('الوقاية من السكري', 'diabetes prevention'),
      P('التطعيم الموسمي ضد الإنفلونزا', 'seasonal flu vaccination'),
      P('صحة الأم والطفل', 'maternal and child health'),
      P('الصحة النفسية', 'mental health'),
      P('التغذية السليمة', 'healthy eating'),
      P('الكشف المبكر عن سرطان الثدي', 'early detection of breast cancer'),
      P('الإقلاع عن التدخين', 'quitting smoking'),
    ],
    proj: [P('تطوير المراكز الصحية', 'the health-centre upgrade'), P('الملف الصحي الموحد', 'the unified health record')],
    tags: P('#صحتك_أولويتنا', '#HealthFirst'),
    tpl: [
      P('تبدأ حملة {topic} في جميع المراكز الصحية اعتباراً من {date}، ويمكن الحجز عبر التطبيق.', 'The {topic} campaign starts at all health centres on {date}. Book through the app.'),
      P('افتتاح عيادة متخصصة في {topic} بالمركز الصحي في {place} بطاقة تصل إلى {n} مراجع شهرياً.', 'A new {topic} clinic opens at the {place} health centre, serving up to {n} patients a month.'),
      P('تمديد ساعات عمل المركز الصحي في {place} حتى الساعة 11 مساءً ابتداءً من {date}.', 'The {place} health centre will stay open until 11 pm from {date}.'),
      P('التطعيم ضد الإنفلونزا الموسمية متاح مجاناً لكبار السن والحوامل وأصحاب الأمراض المزمنة في جميع المراكز الصحية.', 'Flu vaccination is free for older people, pregnant women and people with chronic conditions at every health centre.'),
      P('نصيحة صحية: اشرب 8 أكواب من الماء يومياً وقلل من السكريات والمشروبات الغازية.', 'Health tip: drink 8 glasses of water a day and cut down on sugar and fizzy drinks.'),
      P('استفاد أكثر من {n} مراجع من خدمة {svc} خلال شهر {month}، شكراً لثقتكم.', 'More than {n} people used {svc} in {month}. Thank you for your trust.'),
      P('فحوصات مجانية ضمن أسبوع التوعية بـ{topic} في {venue} بـ{place} يوم {date}.', 'Free check-ups for {topic} awareness week at {venue}, {place}, on {date}.'),
      P('أطباؤنا يجيبون على أسئلتكم حول {topic} في بث مباشر الساعة {time}.', 'Our doctors answer your questions on {topic} live at {time}.'),
      P('فحص ما قبل الزواج متاح في جميع المراكز الصحية، احجز موعدك عبر التطبيق.', 'Pre-marital screening is available at all health centres. Book through the app.'),
      P('تبرع بالدم وأنقذ حياة: حملة التبرع بالدم في {venue} بـ{place} يوم {date}.', 'Give blood, save a life: blood drive at {venue}, {place}, on {date}.'),
      P('وصول {n2} سيارة إسعاف جديدة مجهزة بأحدث المعدات ضمن مشروع {proj}.', '{n2} new fully equipped ambulances arrive as part of {proj}.'),
      P('الصحة النفسية جزء من صحتك: خط الدعم النفسي متاح من 8 صباحاً حتى 8 مساءً.', 'Mental health is health: the support line is open 8 am to 8 pm.'),
    ],
  },
  education: {
    svc: [
      P('تسجيل الطلبة المستجدين', 'new student registration'),
      P('طلب شهادة إتمام الدراسة', 'requesting a school-leaving certificate'),
      P('معادلة الشهادات', 'certificate equivalency'),
      P('التقديم على البعثات الدراسية', 'scholarship applications'),
      P('نقل الطلبة بين المدارس', 'school transfers'),
    ],
    topic: [
      P('التعلم الرقمي', 'digital learning'),
      P('القراءة المبكرة', 'early reading'),
      P('البرمجة للأطفال', 'coding for kids'),
      P('المهارات المهنية', 'vocational skills'),
      P('الأمن المدرسي', 'school safety'),
      P('الموهوبين', 'gifted students'),
    ],
    proj: [P('تطوير المباني المدرسية', 'the school buildings programme'), P('المدرسة الذكية', 'the smart school project')],
    tags: P('#التعلم_للجميع', '#LearningForAll'),
    tpl: [
      P('يبدأ {svc} للعام الدراسي الجديد يوم {date} عبر البوابة الإلكترونية.', '{svc} for the new school year opens on {date} on the online portal.'),
      P('تكريم {n2} طالباً وطالبة من المتفوقين في مسابقة {topic} على مستوى المملكة.', '{n2} students honoured in the national {topic} competition.'),
      P('افتتاح مدرسة جديدة في {place} بطاقة استيعابية {n} طالب ضمن مشروع {proj}.', 'A new school opens in {place} for {n} students as part of {proj}.'),
      P('ورشة تدريبية للمعلمين حول {topic} في {venue} يوم {date}.', 'Teacher workshop on {topic} at {venue} on {date}.'),
      P('نتائج الفصل الدراسي الأول متاحة الآن على بوابة ولي الأمر.', 'First-term results are now available on the parent portal.'),
      P('تذكير لأولياء الأمور: يبدأ الدوام المدرسي الساعة 7:15 صباحاً، نرجو الحرص على الحضور المبكر.', 'Reminder to parents: school starts at 7:15 am. Please arrive early.'),
      P('أكثر من {n} طالب التحقوا ببرنامج {topic} الصيفي هذا العام.', 'More than {n} students joined the summer {topic} programme this year.'),
      P('فتح باب {svc} حتى {date}، للتفاصيل زوروا موقع الوزارة.', '{svc} is open until {date}. Details on the ministry website.'),
      P('زيارة ميدانية لمدارس {place} للاطلاع على سير العملية التعليمية.', 'Field visit to schools in {place} to follow up on teaching and learning.'),
      P('طلبتنا يمثلون المملكة في الأولمبياد الخليجي لـ{topic}، بالتوفيق لهم!', 'Our students represent the kingdom at the Gulf {topic} olympiad. Good luck!'),
      P('الإعلان عن أسماء المقبولين في البعثات الدراسية لهذا العام على الموقع الإلكتروني.', 'This year’s scholarship results are published on the website.'),
    ],
  },
  'interior-services': {
    svc: [
      P('تجديد بطاقة الهوية', 'ID card renewal'),
      P('إصدار شهادة حسن السيرة والسلوك', 'good conduct certificates'),
      P('تجديد جواز السفر', 'passport renewal'),
      P('إصدار شهادة الميلاد', 'birth certificates'),
      P('تحديث العنوان', 'address updates'),
    ],
    topic: [
      P('السلامة المرورية', 'road safety'),
      P('الوقاية من الحريق', 'fire prevention'),
      P('مكافحة الاحتيال الإلكتروني', 'fighting online fraud'),
      P('سلامة الأطفال', 'child safety'),
      P('حماية كبار السن', 'protecting older people'),
    ],
    proj: [P('مراكز الخدمة الشاملة', 'the one-stop service centres'), P('الهوية الرقمية', 'the digital ID project')],
    tags: P('#خدماتكم_أولويتنا', '#ServingYou'),
    tpl: [
      P('يمكنكم الآن {svc} إلكترونياً دون الحاجة لزيارة مراكز الخدمة.', 'You can now complete {svc} online, no visit to a service centre needed.'),
      P('افتتاح مركز خدمة جديد في {place} يعمل من 7 صباحاً حتى 7 مساءً.', 'A new service centre opens in {place}, open 7 am to 7 pm.'),
      P('تم إنجاز {n} معاملة {svc} خلال شهر {month} بمتوسط انتظار {n2} دقيقة.', '{n} {svc} transactions completed in {month} with an average wait of {n2} minutes.'),
      P('تحذير: رسائل نصية مزيفة تنتحل صفة الوزارة وتطلب بيانات بطاقتك المصرفية، لا تتجاوب معها.', 'Warning: fake text messages pretending to be from the ministry ask for your card details. Do not respond.'),
      P('حملة توعوية حول {topic} في المجمعات التجارية بـ{place} حتى {date}.', '{topic} awareness campaign at shopping malls in {place} until {date}.'),
      P('تذكير: صلاحية بطاقة الهوية لا تقل عن 6 أشهر للسفر، جدد بطاقتك مبكراً.', 'Reminder: your ID must be valid for at least 6 months to travel. Renew early.'),
      P('تمديد ساعات العمل في مركز خدمة {place} لاستقبال المراجعين حتى 9 مساءً خلال الأسبوع القادم.', 'The {place} service centre stays open until 9 pm next week.'),
      P('ضمن مشروع {proj}، أصبح بإمكانك حجز موعدك واختيار المركز الأقرب لك.', 'With {proj}, you can book an appointment at the centre closest to you.'),
      P('نشكر المواطنين والمقيمين على التزامهم بالمواعيد المحددة، مما ساهم في تقليص مدة الانتظار.', 'Thank you for keeping to your appointment times; waiting times are down.'),
      P('مكتب خدمة متنقل في {place} يوم {date} لخدمة كبار السن وذوي الإعاقة.', 'A mobile service office will be in {place} on {date} for older people and people with disabilities.'),
      P('ورشة حول {topic} لطلبة المدارس في {place} بالتعاون مع المجالس البلدية.', '{topic} workshop for school students in {place} with the municipal councils.'),
    ],
  },
  housing: {
    svc: [
      P('تقديم الطلبات الإسكانية', 'housing applications'),
      P('تحديث بيانات الطلب الإسكاني', 'updating housing applications'),
      P('طلب تمويل السكن', 'housing finance requests'),
      P('حجز موعد استلام الوحدات', 'booking a key-handover appointment'),
      P('طلبات الصيانة', 'maintenance requests'),
    ],
    topic: [
      P('المدن الجديدة', 'new towns'),
      P('السكن الاجتماعي', 'social housing'),
      P('التمويل الإسكاني', 'housing finance'),
      P('الأحياء المستدامة', 'sustainable neighbourhoods'),
    ],
    proj: [P('مشروع ضاحية النخيل الإسكاني', 'the Palm Suburb housing project'), P('مشروع إسكان الساحل الشرقي', 'the East Coast housing project')],
    tags: P('#بيتك_أمانة', '#HomesForAll'),
    tpl: [
      P('توزيع {n} وحدة سكنية جديدة على المستحقين في {place} ضمن {proj}.', '{n} new homes handed over to families in {place} as part of {proj}.'),
      P('بلغت نسبة الإنجاز في {proj} {pct}%، ومن المتوقع التسليم خلال الربع القادم.', '{proj} is {pct}% complete; handover is expected next quarter.'),
      P('يمكن للمستفيدين متابعة {svc} عبر التطبيق دون مراجعة مركز خدمة العملاء.', 'Beneficiaries can now manage {svc} in the app without visiting the customer centre.'),
      P('جولة ميدانية في موقع {proj} بـ{place} للاطلاع على سير العمل.', 'Site visit to {proj} in {place} to follow progress.'),
      P('نذكّر أصحاب الطلبات بضرورة تحديث بياناتهم قبل {date} لضمان عدم تأخر طلباتهم.', 'Applicants: please update your details before {date} so your application is not delayed.'),
      P('توقيع عقد تنفيذ البنية التحتية لـ{proj} بقيمة {n} ألف دينار.', 'Contract signed for the infrastructure of {proj}, worth BD {n} thousand.'),
      P('افتتاح حديقة عامة وممشى في {place} لخدمة سكان المشروع الإسكاني.', 'A new park and walking track open in {place} for residents of the housing project.'),
      P('ورشة تعريفية حول {topic} للمستفيدين الجدد في {venue} يوم {date}.', 'Introductory session on {topic} for new beneficiaries at {venue} on {date}.'),
      P('استلام {n2} طلب صيانة خلال الأسبوع الماضي وإنجاز {pct}% منها.', '{n2} maintenance requests received last week, {pct}% already completed.'),
      P('قرعة تخصيص الأراضي السكنية في {place} تقام يوم {date} بحضور المستفيدين.', 'The residential plot allocation draw for {place} takes place on {date}.'),
    ],
  },
  transport: {
    svc: [
      P('تجديد رخصة السياقة', 'driving licence renewal'),
      P('تسجيل المركبات', 'vehicle registration'),
      P('حجز موعد الفحص الفني', 'booking a vehicle inspection'),
      P('بطاقة الحافلات', 'the bus card'),
      P('تصاريح الشحن', 'freight permits'),
    ],
    topic: [P('النقل العام', 'public transport'), P('السلامة على الطرق', 'road safety'), P('التنقل الذكي', 'smart mobility'), P('الطرق الرئيسية', 'main roads')],
    proj: [P('تطوير تقاطع الدوار الرابع', 'the Fourth Roundabout junction upgrade'), P('توسعة الشارع الساحلي', 'the coastal road widening'), P('جسر الخليج الجديد', 'the new bay bridge')],
    tags: P('#طرقنا', '#MoveSmart'),
    tpl: [
      P('تحويلة مرورية مؤقتة على الشارع المؤدي إلى {place} ابتداءً من {date} لمدة {n2} أيام ضمن {proj}.', 'Temporary traffic diversion on the road to {place} from {date} for {n2} days, part of {proj}.'),
      P('افتتاح المرحلة الأولى من {proj} أمام الحركة المرورية، مما يخفف الازدحام في {place}.', 'Phase one of {proj} is open to traffic, easing congestion in {place}.'),
      P('إضافة {n2} حافلة جديدة إلى خطوط النقل العام بين {place} والمنامة.', '{n2} new buses added to routes between {place} and Manama.'),
      P('نسبة الإنجاز في {proj} بلغت {pct}%.', '{proj} is now {pct}% complete.'),
      P('يمكنكم الآن {svc} عبر التطبيق خلال دقائق.', 'You can now do {svc} in the app in minutes.'),
      P('إغلاق جزئي لمسار واحد على الطريق السريع باتجاه {place} من الساعة 12 منتصف الليل حتى 5 فجراً لأعمال الصيانة.', 'One lane of the highway towards {place} closed from midnight to 5 am for maintenance.'),
      P('بلغ عدد ركاب الحافلات {n} ألف راكب خلال شهر {month}.', 'Buses carried {n} thousand passengers in {month}.'),
      P('تركيب إشارات ضوئية ذكية في {n2} تقاطعات في {place} لتحسين انسيابية الحركة.', 'Smart traffic lights installed at {n2} junctions in {place}.'),
      P('نذكّر السائقين بضرورة الالتزام بالسرعات المحددة في مناطق العمل حفاظاً على سلامة العمال.', 'Drivers: please keep to the speed limits in work zones to keep workers safe.'),
      P('استطلاع رأي حول خدمات {topic}، شاركونا آراءكم عبر الرابط في البايو.', 'Survey on {topic} services: share your views via the link in our bio.'),
    ],
  },
  digital: {
    svc: [
      P('المفتاح الإلكتروني', 'the eKey'),
      P('بوابة الخدمات الإلكترونية', 'the e-services portal'),
      P('التوقيع الرقمي', 'digital signatures'),
      P('تطبيق الخدمات الحكومية', 'the government services app'),
      P('خدمة الدفع الإلكتروني', 'e-payments'),
    ],
    topic: [P('الأمن السيبراني', 'cyber security'), P('الذكاء الاصطناعي', 'artificial intelligence'), P('البيانات المفتوحة', 'open data'), P('الخدمات الاستباقية', 'proactive services')],
    proj: [P('منصة البيانات المفتوحة', 'the open data platform'), P('الحوسبة السحابية الحكومية', 'the government cloud programme')],
    tags: P('#حكومة_رقمية', '#DigitalGov'),
    tpl: [
      P('إطلاق {n2} خدمات جديدة على {svc} هذا الشهر، تعرفوا عليها عبر الرابط.', '{n2} new services launched on {svc} this month. Find out more at the link.'),
      P('صيانة مجدولة لـ{svc} يوم {date} من الساعة 1 حتى 4 فجراً، نعتذر عن أي إزعاج.', 'Scheduled maintenance of {svc} on {date}, 1 am to 4 am. Sorry for any inconvenience.'),
      P('أكثر من {n} ألف مستخدم فعّلوا {svc} خلال شهر {month}.', 'More than {n} thousand users activated {svc} in {month}.'),
      P('ورشة عمل حول {topic} للموظفين الحكوميين في {venue} يوم {date}.', 'Workshop on {topic} for government staff at {venue} on {date}.'),
      P('لا تشارك كلمة المرور أو رمز التحقق (OTP) مع أي شخص، حتى لو ادعى أنه موظف حكومي.', 'Never share your password or one-time code (OTP) with anyone, even someone claiming to be a government employee.'),
      P('نشر {n2} مجموعة بيانات جديدة على {proj}.', '{n2} new datasets published on {proj}.'),
      P('هاكاثون {topic} الحكومي ينطلق يوم {date}، التسجيل مفتوح للفرق الشبابية.', 'The government {topic} hackathon starts on {date}. Registration is open.'),
      P('تحديث جديد لـ{svc} يدعم الدخول بالبصمة والوجه.', 'A new update to {svc} supports fingerprint and face login.'),
      P('حققت الخدمات الإلكترونية نسبة رضا {pct}% في استبيان المتعاملين الأخير.', 'E-services reached {pct}% satisfaction in the latest customer survey.'),
      P('احذر الروابط المختصرة التي تصلك عبر الرسائل، الموقع الرسمي ينتهي دائماً بـ .gov.bh', 'Beware of short links in messages: the official site always ends in .gov.bh'),
      P('شرح بالفيديو: كيف تجدد {svc} خطوة بخطوة.', 'Video guide: how to renew {svc}, step by step.'),
    ],
  },
  tourism: {
    svc: [
      P('ترخيص الفعاليات', 'event licensing'),
      P('تصنيف المنشآت الفندقية', 'hotel classification'),
      P('ترخيص المرشدين السياحيين', 'tour guide licences'),
      P('حجز تذاكر المتاحف', 'museum tickets'),
    ],
    topic: [P('التراث البحري', 'maritime heritage'), P('صيد اللؤلؤ', 'pearl diving'), P('الحرف اليدوية', 'traditional crafts'), P('المطبخ البحريني', 'Bahraini cuisine'), P('السياحة البيئية', 'eco-tourism')],
    proj: [P('مهرجان ليالي الساحل', 'the Coast Nights festival'), P('مسار البيوت التراثية', 'the heritage houses trail'), P('معرض الربيع', 'the Spring Fair')],
    tags: P('#اكتشف_البحرين', '#DiscoverBahrain'),
    tpl: [
      P('انطلاق {proj} يوم {date} في {place} بمشاركة أكثر من {n2} عارضاً.', '{proj} opens on {date} in {place} with more than {n2} exhibitors.'),
      P('جولة مجانية مع مرشد سياحي في {place} للتعرف على {topic} كل خميس الساعة {time}.', 'Free guided walk in {place} about {topic} every Thursday at {time}.'),
      P('استقبلنا أكثر من {n} ألف زائر خلال شهر {month}، شكراً لكم.', 'We welcomed more than {n} thousand visitors in {month}. Thank you!'),
      P('ورشة {topic} للأطفال في {venue} يوم {date}، التسجيل مجاني.', '{topic} workshop for children at {venue} on {date}. Free registration.'),
      P('اكتشفوا جمال {place}: بيوت تراثية، مقاهٍ شعبية، وأسواق تقليدية.', 'Discover {place}: heritage houses, traditional cafés and old markets.'),
      P('معرض {topic} مستمر حتى {date} في {venue}.', 'The {topic} exhibition runs until {date} at {venue}.'),
      P('فتح باب {svc} لموسم الشتاء، قدّم طلبك عبر البوابة.', '{svc} is open for the winter season. Apply on the portal.'),
      P('ليلة موسيقى شعبية في {place} مساء {date}، الدخول مجاني للعائلات.', 'Traditional music night in {place} on {date}. Free entry for families.'),
      P('نسبة إشغال الفنادق بلغت {pct}% خلال عطلة نهاية الأسبوع.', 'Hotel occupancy reached {pct}% over the weekend.'),
      P('تعرّف على حكاية {topic} في فيديو قصير من {place}.', 'The story of {topic} in a short film from {place}.'),
    ],
  },
  labour: {
    svc: [
      P('تسجيل الباحثين عن عمل', 'jobseeker registration'),
      P('برنامج دعم الأجور', 'the wage support programme'),
      P('التدريب على رأس العمل', 'on-the-job training'),
      P('تسوية النزاعات العمالية', 'labour dispute settlement'),
      P('تصاريح العمل', 'work permits'),
    ],
    topic: [P('حماية الأجور', 'wage protection'), P('السلامة المهنية', 'occupational safety'), P('ريادة الأعمال', 'entrepreneurship'), P('المهارات الرقمية', 'digital skills')],
    proj: [P('معرض التوظيف الوطني', 'the national jobs fair'), P('برنامج المسارات المهنية', 'the career pathways programme')],
    tags: P('#فرص_عمل', '#Jobs'),
    tpl: [
      P('{proj} ينطلق يوم {date} في {venue} بمشاركة {n2} شركة و{n} فرصة وظيفية.', '{proj} opens on {date} at {venue} with {n2} companies and {n} vacancies.'),
      P('توظيف {n} مواطن خلال شهر {month} في القطاع الخاص.', '{n} citizens placed in private-sector jobs in {month}.'),
      P('حظر العمل تحت أشعة الشمس من الساعة 12 ظهراً حتى 4 عصراً خلال شهري يوليو وأغسطس.', 'Outdoor work in the sun is banned from 12 noon to 4 pm in July and August.'),
      P('دورة تدريبية مجانية في {topic} للباحثين عن عمل تبدأ {date}.', 'Free {topic} course for jobseekers starts {date}.'),
      P('يمكن الآن {svc} إلكترونياً عبر بوابة الهيئة.', '{svc} is now available online.'),
      P('زيارات تفتيشية على {n2} منشأة في {place} للتأكد من الالتزام بمعايير {topic}.', 'Inspections at {n2} sites in {place} to check {topic} standards.'),
      P('للإبلاغ عن تأخر الأجور تواصلوا معنا، جميع البلاغات تعامل بسرية تامة.', 'To report late wages, contact us. All reports are handled in strict confidence.'),
      P('تخريج {n2} متدرباً من {proj} اليوم، مبروك للخريجين.', '{n2} trainees graduate from {proj} today. Congratulations!'),
      P('ورشة {topic} لأصحاب المشاريع الصغيرة في {place} يوم {date}.', '{topic} workshop for small business owners in {place} on {date}.'),
      P('نسبة الالتزام بنظام {topic} بلغت {pct}% في المنشآت المسجلة.', '{topic} compliance reached {pct}% among registered employers.'),
    ],
  },
  environment: {
    svc: [P('تصاريح الأثر البيئي', 'environmental permits'), P('تراخيص الصيد البحري', 'fishing licences'), P('بلاغات التلوث', 'pollution reports')],
    topic: [P('حماية السلاحف البحرية', 'sea turtle protection'), P('زراعة أشجار القرم', 'mangrove planting'), P('الحد من البلاستيك', 'reducing plastic'), P('جودة الهواء', 'air quality'), P('الشعاب المرجانية', 'coral reefs')],
    proj: [P('حملة شواطئ نظيفة', 'the Clean Beaches campaign'), P('محمية خليج الطيور', 'the Bird Bay reserve')],
    tags: P('#بحرنا_أمانة', '#OurSeaOurTrust'),
    tpl: [
      P('زراعة {n} شتلة من أشجار القرم في {place} بمشاركة المتطوعين.', '{n} mangrove seedlings planted in {place} with volunteers.'),
      P('{proj}: تنظيف ساحل {place} يوم {date}، سجّل كمتطوع عبر الرابط.', '{proj}: beach clean-up in {place} on {date}. Sign up to volunteer.'),
      P('تذكير: يُمنع صيد الروبيان خلال موسم الحظر حفاظاً على المخزون السمكي.', 'Reminder: shrimp fishing is banned during the closed season to protect stocks.'),
      P('مؤشر جودة الهواء اليوم في {place}: جيد.', 'Air quality today in {place}: good.'),
      P('رصد {n2} سلحفاة بحرية في {proj} هذا الموسم.', '{n2} sea turtles recorded at {proj} this season.'),
      P('إطلاق دليل {topic} للمدارس بالتعاون مع وزارة التعلم والمهارات.', 'Launch of the {topic} guide for schools with the Ministry of Learning and Skills.'),
      P('يمكنكم تقديم {svc} إلكترونياً على مدار الساعة.', 'You can file {svc} online, day and night.'),
      P('محاضرة توعوية حول {topic} في {venue} يوم {date}.', 'Awareness talk on {topic} at {venue} on {date}.'),
      P('جمع {n} كيلوغرام من النفايات البلاستيكية من شواطئ {place} خلال الأسبوع.', '{n} kg of plastic waste collected from the beaches of {place} this week.'),
    ],
  },
  municipal: {
    svc: [P('تراخيص البناء', 'building permits'), P('بلاغات النظافة', 'cleanliness reports'), P('تراخيص الإعلانات', 'advertising permits'), P('طلب حاويات', 'bin requests'), P('شهادة الوصف العقاري', 'property certificates')],
    topic: [P('تجميل الأحياء', 'neighbourhood beautification'), P('النظافة العامة', 'public cleanliness'), P('الحدائق العامة', 'public parks'), P('صحة الغذاء', 'food safety')],
    proj: [P('تطوير سوق {place} الشعبي', 'the {place} market upgrade'), P('مشروع ممشى الحي', 'the neighbourhood walkway project')],
    tags: P('#بلديتك', '#YourMunicipality'),
    tpl: [
      P('حملة نظافة شاملة في {place} تبدأ {date} بمشاركة {n2} آلية.', 'A full clean-up campaign in {place} starts {date} with {n2} vehicles.'),
      P('افتتاح حديقة جديدة في {place} بمساحة {n} متر مربع.', 'A new {n} m² park opens in {place}.'),
      P('تفتيش {n2} مطعماً في {place} ضمن حملة {topic}، وإغلاق منشأتين مخالفتين.', '{n2} restaurants inspected in {place} during the {topic} campaign; two closed.'),
      P('نذكّر أصحاب المحلات بضرورة تجديد {svc} قبل {date}.', 'Shop owners: please renew {svc} before {date}.'),
      P('يمكنكم رفع {svc} عبر التطبيق، وسيتم التعامل معها خلال 48 ساعة.', 'Submit {svc} in the app; we respond within 48 hours.'),
      P('نسبة الإنجاز في {proj} بلغت {pct}%.', '{proj} is {pct}% complete.'),
      P('رفع {n} طن من المخلفات من {place} خلال الأسبوع الماضي.', '{n} tonnes of waste removed from {place} last week.'),
      P('صيانة الإنارة في شوارع {place} ليلة {date}.', 'Street lighting maintenance in {place} on the night of {date}.'),
      P('إزالة {n2} مخالفة بناء في {place} بعد انتهاء المهلة القانونية.', '{n2} illegal structures removed in {place} after the legal deadline.'),
      P('اجتماع مفتوح مع أهالي {place} لمناقشة مشاريع {topic} يوم {date}.', 'Open meeting with residents of {place} on {topic} projects on {date}.'),
    ],
  },
  'youth-sports': {
    svc: [P('تسجيل الأندية', 'club registration'), P('حجز الملاعب', 'pitch booking'), P('برامج التطوع', 'volunteering programmes'), P('دعم المبادرات الشبابية', 'youth initiative grants')],
    topic: [P('كرة القدم', 'football'), P('كرة الطائرة', 'volleyball'), P('الرياضة النسائية', "women's sport"), P('القيادة الشبابية', 'youth leadership'), P('الرياضات الإلكترونية', 'esports')],
    proj: [P('دوري الأحياء', 'the Neighbourhood League'), P('مخيم الشباب الصيفي', 'the Summer Youth Camp'), P('ماراثون الساحل', 'the Coast Marathon')],
    tags: P('#شباب_البحرين', '#YouthHorizons'),
    tpl: [
      P('انطلاق {proj} يوم {date} بمشاركة {n2} فريقاً من مختلف المحافظات.', '{proj} kicks off on {date} with {n2} teams from every governorate.'),
      P('التسجيل مفتوح في {proj} حتى {date}، الأماكن محدودة!', 'Registration for {proj} is open until {date}. Limited places!'),
      P('مبروك لمنتخبنا لـ{topic} على التأهل إلى النهائي الخليجي 🇧🇭', 'Congratulations to our {topic} team on reaching the Gulf final 🇧🇭'),
      P('يمكنكم الآن {svc} عبر التطبيق.', 'You can now use {svc} in the app.'),
      P('أكثر من {n} شاب وشابة شاركوا في {proj} هذا العام.', 'More than {n} young people took part in {proj} this year.'),
      P('افتتاح ملعب متعدد الاستخدامات في {place}.', 'A new multi-sport court opens in {place}.'),
      P('ورشة {topic} في {venue} يوم {date}.', '{topic} workshop at {venue} on {date}.'),
      P('المخدرات طريق بلا عودة: محاضرة توعوية للشباب حول أضرار المخدرات في {place} يوم {date}.', 'Drugs are a road with no return: awareness talk for young people in {place} on {date}.'),
      P('بطولة {topic} للناشئين في {place} نهاية الأسبوع، ندعوكم للتشجيع!', 'Junior {topic} tournament in {place} this weekend. Come and cheer!'),
      P('تكريم {n2} متطوعاً من {proj} تقديراً لجهودهم.', '{n2} volunteers from {proj} honoured for their work.'),
    ],
  },
  finance: {
    svc: [P('الدفع الإلكتروني للرسوم', 'online fee payment'), P('استرداد المبالغ', 'refunds'), P('تسجيل الموردين', 'supplier registration'), P('المناقصات الإلكترونية', 'e-tendering')],
    topic: [P('الميزانية العامة', 'the public budget'), P('الشفافية المالية', 'fiscal transparency'), P('المشتريات الحكومية', 'government procurement'), P('الادخار', 'saving')],
    proj: [P('نظام المدفوعات الحكومية', 'the government payments system'), P('بوابة الموردين', 'the supplier portal')],
    tags: P('#الخزينة', '#Treasury'),
    tpl: [
      P('نشر التقرير الربعي حول {topic} على الموقع الإلكتروني.', 'The quarterly report on {topic} is now on the website.'),
      P('طرح {n2} مناقصة جديدة عبر {proj}، آخر موعد للتقديم {date}.', '{n2} new tenders on {proj}. Deadline: {date}.'),
      P('صرف {n} ألف دينار لـ{svc} خلال شهر {month}.', 'BD {n} thousand paid out for {svc} in {month}.'),
      P('ورشة تعريفية للموردين حول {svc} يوم {date}.', 'Supplier briefing on {svc} on {date}.'),
      P('متوسط مدة سداد مستحقات الموردين انخفض إلى {n2} يوماً.', 'The average time to pay suppliers fell to {n2} days.'),
      P('يمكن الآن {svc} عبر {proj} على مدار الساعة.', '{svc} is now available on {proj} around the clock.'),
      P('اليوم العالمي للادخار: خطط لميزانية أسرتك، وابدأ بادخار 10% من دخلك.', 'World Savings Day: plan your family budget and start by saving 10% of your income.'),
      P('{pct}% من المعاملات المالية الحكومية أصبحت إلكترونية بالكامل.', '{pct}% of government payments are now fully electronic.'),
    ],
  },
};

// Templates shared by all official accounts: e-services, events, hard negatives (hotlines, «سريع»,
// confidentiality of reports, quoted laws, drug awareness, security awareness, condolences).
const COMMON_OFFICIAL: Pair[] = [
  P('للاستفسارات يرجى التواصل عبر الخط الساخن {hotline} على مدار الساعة.', 'For enquiries call our hotline {hotline}, 24/7.'),
  P('خدمة الإنجاز السريع متاحة الآن لـ{svc}، وتنجز المعاملة خلال 15 دقيقة.', 'Fast-track service is now available for {svc}: done in 15 minutes.'),
  P('شاركونا آراءكم في استبيان رضا المتعاملين عن {svc}، رأيكم يهمنا.', 'Tell us what you think of {svc} in our customer survey.'),
  P('تستضيف {entity} ملتقى {topic} في {venue} يوم {date} الساعة {time}.', '{entity} hosts a forum on {topic} at {venue} on {date} at {time}.'),
  P('نؤكد أن جميع البلاغات والشكاوى تعامل بسرية تامة.', 'All reports and complaints are handled in strict confidence.'),
  P('وفقاً للمادة ({n2}) من القانون رقم ({n3}) لسنة {lawyear}، يعاقب كل من يخالف الاشتراطات بغرامة لا تقل عن {n} دينار.', 'Under Article {n2} of Law No. ({n3}) of {lawyear}, violators face a fine of at least BD {n}.'),
  P('لا للمخدرات: ضمن الحملة الوطنية للتوعية بأضرار المخدرات، للإبلاغ بسرية اتصل على {hotline}.', 'Say no to drugs: as part of the national drug-awareness campaign, report confidentially on {hotline}.'),
  P('تحذير: لا تشارك رمز التحقق أو كلمة المرور مع أي جهة، {entity} لن تطلبها منك أبداً.', 'Warning: never share your OTP or password. {entity} will never ask for them.'),
  P('ساعات العمل في مراكز الخدمة من الأحد إلى الخميس، 7 صباحاً حتى 2 ظهراً.', 'Service centres are open Sunday to Thursday, 7 am to 2 pm.'),
  P('استقبل وفد من {entity} زواراً من الجهات الحكومية الخليجية لتبادل الخبرات في {topic}.', '{entity} welcomed a delegation from Gulf government bodies to share experience in {topic}.'),
  P('تعلن {entity} عن تعطيل العمل في مراكز الخدمة يوم {date} بمناسبة العطلة الرسمية.', '{entity} service centres will be closed on {date} for the public holiday.'),
  P('حصلت {entity} على شهادة الجودة الدولية في إدارة الخدمات، شكراً لفريق العمل.', '{entity} has received international quality certification for service management. Thank you, team.'),
  P('إنا لله وإنا إليه راجعون، تتقدم {entity} بخالص التعازي لأسرة {deceased}، تغمده الله بواسع رحمته.', '{entity} extends its sincere condolences to the family of {deceased}. May God have mercy on his soul.'),
  P('تابعونا في بث مباشر للإجابة عن أسئلتكم حول {svc} الساعة {time}.', 'Join us live at {time} to answer your questions on {svc}.'),
  P('أكثر من {pct}% من معاملات {svc} أصبحت تنجز إلكترونياً.', 'More than {pct}% of {svc} transactions are now done online.'),
  P('توقيع مذكرة تفاهم بين {entity} وجامعة محلية للتعاون في مجال {topic}.', '{entity} signs a memorandum with a local university on {topic}.'),
  P('دورة تدريبية لموظفي {entity} حول جودة خدمة العملاء.', 'Customer service training for {entity} staff.'),
  P('تطبيقنا الجديد متوفر الآن على متاجر التطبيقات، حمّلوه وجربوا {svc}.', 'Our new app is out now. Download it and try {svc}.'),
  P('يوم المرأة البحرينية: تحية لكل موظفة في {entity} تصنع الفرق.', "Bahraini Women's Day: a salute to every woman at {entity} making a difference."),
  P('ضمن برنامج الزيارات الميدانية، زار فريق {entity} منطقة {place} للاستماع لملاحظات الأهالي.', 'Our team visited {place} to listen to residents as part of our field visits.'),
  P('تقرير: خفض متوسط زمن إنجاز {svc} من {n2} أيام إلى يوم واحد.', 'Report: the average time for {svc} is down from {n2} days to one.'),
  P('فرص تدريب صيفي لطلبة الجامعات في {entity}، التقديم حتى {date}.', 'Summer internships for university students at {entity}: apply by {date}.'),
];

const WEATHER_SUMMER: Pair[] = [
  P('مع ارتفاع درجات الحرارة إلى {temp} درجة، ننصح بتجنب التعرض المباشر لأشعة الشمس والإكثار من شرب الماء.', 'Temperatures up to {temp}°C: avoid direct sun and drink plenty of water.'),
  P('موجة حر ورطوبة عالية متوقعة خلال الأيام القادمة، انتبهوا لكبار السن والأطفال.', 'A heatwave with high humidity is expected in the coming days. Look after older people and children.'),
];
const WEATHER_WINTER: Pair[] = [
  P('توقعات بهطول أمطار متفرقة على {place}، يرجى الحذر أثناء القيادة.', 'Scattered rain expected over {place}. Please drive carefully.'),
  P('فرق الطوارئ جاهزة للتعامل مع تجمعات مياه الأمطار، للبلاغات اتصل على {hotline}.', 'Emergency teams are ready for rainwater pooling. Report on {hotline}.'),
  P('أجواء باردة نسبياً الليلة مع رياح شمالية غربية نشطة، انتبهوا عند ارتياد البحر.', 'A cool night with strong north-westerly winds. Take care at sea.'),
];

const OCCASIONS: Record<Exclude<Occasion, null>, Pair[]> = {
  ramadan: [
    P('رمضان كريم، وكل عام وأنتم بخير. تتقدم {entity} بأطيب التهاني بمناسبة حلول شهر رمضان المبارك.', 'Ramadan Kareem from all of us at {entity}.'),
    P('ساعات العمل خلال شهر رمضان المبارك من 8 صباحاً حتى 2 ظهراً، والخدمات الإلكترونية متاحة على مدار الساعة.', 'Ramadan hours: 8 am to 2 pm. E-services remain available 24/7.'),
    P('مبادرة إفطار صائم بالتعاون مع متطوعي {place}، شكراً لكل من ساهم.', 'Iftar for fasting workers with volunteers from {place}. Thank you to everyone who helped.'),
    P('نصيحة رمضانية: اشرب الماء بين الإفطار والسحور وتجنب الأطعمة المالحة.', 'Ramadan tip: drink water between iftar and suhoor and avoid salty food.'),
    P('اللهم بلغنا ليلة القدر، وتقبل منا الصيام والقيام.', 'May we all reach Laylat al-Qadr. Ramadan Kareem.'),
    P('الغبقة الرمضانية لموظفي {entity} في {venue}، أجواء رمضانية جميلة.', 'Ramadan ghabga for {entity} staff at {venue}.'),
    P('تذكير: القيادة بحذر قبل موعد الإفطار، الوصول متأخراً خير من عدم الوصول.', 'Reminder: drive carefully before iftar. Better late than never.'),
  ],
  'eid-fitr': [
    P('عيد فطر مبارك، وكل عام وأنتم بخير. أعاده الله على مملكة البحرين بالخير واليمن والبركات.', 'Eid Mubarak! Wishing you and your families joy and peace.'),
    P('عساكم من عواده، تقبل الله منا ومنكم صالح الأعمال.', 'Eid Mubarak. May God accept our good deeds.'),
    P('مراكز الخدمة مغلقة خلال عطلة عيد الفطر، والخدمات الإلكترونية متاحة على مدار الساعة.', 'Service centres are closed for Eid al-Fitr; e-services remain open 24/7.'),
  ],
  'eid-adha': [
    P('عيد أضحى مبارك، وكل عام وأنتم بخير، تقبل الله من الحجاج حجهم.', 'Eid al-Adha Mubarak! May God accept the pilgrims’ Hajj.'),
    P('يوم عرفة: اللهم اغفر لنا ولوالدينا وللمسلمين أجمعين.', 'The Day of Arafah: may God forgive us all.'),
    P('تذكير: الذبح في المسالخ المعتمدة فقط حفاظاً على الصحة العامة.', 'Reminder: slaughter only at licensed abattoirs to protect public health.'),
  ],
  'national-day': [
    P('بمناسبة الأعياد الوطنية المجيدة، تتقدم {entity} بأسمى آيات التهاني إلى القيادة الرشيدة وشعب البحرين الوفي 🇧🇭', 'Happy Bahrain National Day from everyone at {entity} 🇧🇭'),
    P('ديسمبر شهر الفخر والانتماء، كل عام والبحرين بخير 🇧🇭', 'December: a month of pride. Happy National Day, Bahrain 🇧🇭'),
    P('احتفالات العيد الوطني في {place} الليلة، ندعوكم للمشاركة مع العائلة.', 'National Day celebrations in {place} tonight. Bring the family!'),
  ],
  'pre-national-day': [
    P('استعدادات الأعياد الوطنية: تزيين شوارع {place} بالأعلام والإنارة 🇧🇭', 'Getting ready for National Day: flags and lights go up in {place} 🇧🇭'),
    P('فعاليات الأعياد الوطنية تنطلق من {date} في {venue}، برنامج متنوع لكل العائلة.', 'National Day events start {date} at {venue}: something for the whole family.'),
  ],
};

// Replies from official accounts (polite MSA / English).
const REPLIES_OFFICIAL: Pair[] = [
  P('أهلاً بك، يرجى تزويدنا برقم الطلب عبر الرسائل الخاصة لمتابعته.', 'Hello, please send us your request number by DM so we can follow up.'),
  P('شكراً لتواصلك، تم تحويل ملاحظتك إلى القسم المختص.', 'Thank you, your feedback has been passed to the team concerned.'),
  P('يمكنك إنجاز المعاملة إلكترونياً عبر {web}، ونحن في الخدمة لأي استفسار.', 'You can complete this online at {web}. We are here if you need help.'),
  P('نعتذر عن التأخير، سيتم التواصل معك خلال يومي عمل.', 'Sorry for the delay. We will contact you within two working days.'),
  P('مرحباً، المركز يعمل من 7 صباحاً حتى 2 ظهراً من الأحد إلى الخميس.', 'Hi, the centre is open 7 am to 2 pm, Sunday to Thursday.'),
  P('شكراً على كلماتك الطيبة، هدفنا خدمتكم دائماً.', 'Thank you for your kind words. Serving you is our goal.'),
  P('تم حل المشكلة الفنية، يرجى المحاولة مرة أخرى وإبلاغنا إن استمرت.', 'The technical issue is fixed. Please try again and let us know if it persists.'),
  P('للاستفسار يمكنك الاتصال على {hotline}، الخدمة متاحة على مدار الساعة.', 'For questions, call {hotline}, available 24/7.'),
  P('حياك الله، الطلب قيد المراجعة وسيصلك إشعار بالنتيجة.', 'Your request is under review; you will be notified of the result.'),
  P('نعم، الخدمة متاحة للمقيمين أيضاً.', 'Yes, the service is available to residents too.'),
];
// Arabic replies in Gulf dialect (personal accounts).
const REPLIES_DIALECT: string[] = [
  'حياك الله أخوي، راجع المركز الصبح بدري وإن شاء الله تنحل',
  'والله ما عندي علم، بس اسأل في الخط الساخن {hotline} يفيدونك',
  'هههه صادق والله 😂',
  'تسلم يا الغالي، الله يعطيك العافية',
  'لا تشيل هم، بكرة الصبح أشوف لك الموضوع',
  'الحمد لله خلصت معاملتي في ربع ساعة، شي يفرح',
  'إن شاء الله خير، الطلبات كلها تمشي بالدور',
  'ما قصرت، مشكور على التوضيح',
  'الله يوفقك، وياك إن شاء الله',
  'صج؟ ما كنت أدري، شكراً على المعلومة',
];
const REPLIES_PERSONAL_EN: string[] = [
  'Thanks! Glad it helped 🙏',
  'Ha, totally agree.',
  'Try the app first, it usually works faster.',
  'Congrats, well deserved!',
  'Same here, see you there.',
  'Good point, I will pass it on.',
];

// Personal posts of executives.
const EXEC_POSTS: Pair[] = [
  P('سعدت اليوم بزيارة فريق العمل في {place}، فخور بما يقدمونه من جهد وإخلاص.', 'Visited our team in {place} today. Proud of their dedication.'),
  P('اجتماع مثمر مع الزملاء لمناقشة خطة العام القادم في مجال {topic}.', 'Productive meeting with colleagues on next year’s plan for {topic}.'),
  P('شرفت بالمشاركة في ملتقى {topic} في {venue}، نقاشات ثرية وأفكار ملهمة.', 'Honoured to speak at the {topic} forum at {venue}. Rich discussions.'),
  P('جمعة مباركة، الحمد لله على نعمه.', 'Jumma Mubarak.'),
  P('الاستماع إلى المتعاملين هو أقصر طريق لتحسين الخدمة.', 'Listening to customers is the shortest path to better service.'),
  P('كل الشكر للشباب المتطوعين في {place}، أنتم فخر الوطن.', 'Thank you to the young volunteers in {place}. You make the country proud.'),
  P('قرأت هذا الأسبوع كتاباً رائعاً عن القيادة وخدمة الناس، أنصح به.', 'Read a great book on leadership and public service this week. Recommended.'),
  P('صباح الخير من {place} ☀️ بداية أسبوع جديد مليء بالعمل.', 'Good morning from {place} ☀️ A busy week ahead.'),
  P('فخور بفريق {entity} على تحقيق نسبة رضا {pct}%، والقادم أفضل إن شاء الله.', 'Proud of the {entity} team for {pct}% satisfaction. More to come.'),
  P('مشاركة في ماراثون {place} هذا الصباح، الرياضة أسلوب حياة 🏃', 'Ran in the {place} run this morning. Sport is a way of life 🏃'),
];
// Personal posts of employees (Gulf dialect / casual English).
const EMPLOYEE_POSTS: Pair[] = [
  P('الحمد لله خلصنا دوام اليوم 😅 الله يعين على بكرة', 'Done for the day 😅 bring on tomorrow'),
  P('قهوة الصبح قبل الدوام ☕ أحلى بداية', 'Morning coffee before work ☕ best start'),
  P('الجو اليوم في {place} يجنن، طلعة بحر مع العيال', 'Lovely weather in {place} today, beach trip with the kids'),
  P('مبروك للمنتخب 🇧🇭 رفعتوا راسنا', 'Congrats to the national team 🇧🇭 made us proud'),
  P('أحد يعرف مطعم زين في {place}؟ نبي مكان للعشا الليلة', 'Any good restaurant suggestions in {place}? Dinner tonight'),
  P('أول يوم في الدورة التدريبية عن {topic}، متحمس', 'First day of the {topic} training. Excited'),
  P('زحمة الشارع اليوم ما لها حل 🙃', 'Traffic today is something else 🙃'),
  P('جمعة مباركة عليكم جميعاً 🤍', 'Jumma Mubarak everyone 🤍'),
  P('فخور بفريقنا اليوم، خلصنا مشروع كبير قبل الموعد 💪', 'Proud of our team today, big project delivered early 💪'),
  P('الله يرحم أمواتنا وأمواتكم، اليوم ذكرى الوالد', 'Remembering my father today. May God have mercy on him'),
  P('أخيراً إجازة! ثلاث أيام بدون منبه 😴', 'Finally a long weekend! Three days without an alarm 😴'),
  P('تطوعت اليوم في حملة تنظيف ساحل {place}، تجربة حلوة', 'Volunteered at the {place} beach clean-up today. Great experience'),
];

// ----- Violations (invented persons, numbers and documents; check digits valid on purpose).
interface ViolationTpl {
  lang: 'ar' | 'en';
  /** Whose voice: an official account (o), a personal account (p) or either (a). */
  who: 'o' | 'p' | 'a';
  text: string;
  /** Text after the author edited the post (the offending part removed). */
  clean: string;
  reply?: boolean;
}
const V = (lang: 'ar' | 'en', text: string, clean: string, reply = false, who: 'o' | 'p' | 'a' = 'a'): ViolationTpl => ({ lang, text, clean, reply, who });

const VIOLATIONS: Record<Exclude<Category, 'disclaimer'>, ViolationTpl[]> = {
  personal_data: [
    V('ar', 'أهلاً بك، تم التحقق من طلبك المسجل باسم {name} رقم شخصي {cpr}، وسيتواصل معك الموظف المختص على الرقم {phone}.', 'أهلاً بك، تم التحقق من طلبك وسيتواصل معك الموظف المختص قريباً.', true, 'a'),
    V('ar', 'تم تحويل المبلغ المسترد إلى الحساب {iban} باسم {name}، يرجى التأكد خلال 3 أيام عمل.', 'تم تحويل المبلغ المسترد إلى حسابك المسجل، يرجى التأكد خلال 3 أيام عمل.', true, 'a'),
    V('ar', 'سيزوركم فريق الصيانة غداً على العنوان {addr}، يرجى التواجد من الساعة {time}.', 'سيزوركم فريق الصيانة غداً، يرجى التواجد في الموعد المحدد.', true, 'a'),
    V('ar', 'أخوي {name} رقمك الشخصي {cpr} مو مسجل عندنا، كلمني واتساب {phone} وأخلصها لك', 'أخوي راسلنا على الخاص وأخلصها لك إن شاء الله', true, 'p'),
    V('ar', 'المراجع {name} من {addr} يسأل عن طلبه، رقمه {phone} إذا أحد من الزملاء يقدر يتابع', 'إذا أحد من الزملاء يقدر يتابع طلب مراجع، راسلوني على الخاص', false, 'p'),
    V('en', 'Thanks {name}, we found your file under CPR {cpr}. Our team will call you on {phone} today.', 'Thanks, we found your file. Our team will call you today.', true, 'a'),
    V('en', 'Your refund of BD {n} was sent to {iban}. Please allow 3 working days.', 'Your refund was sent to your registered account. Please allow 3 working days.', true, 'o'),
    V('en', 'Our inspector will visit {addrEn} tomorrow morning, {name}. Call {phone} if you need to reschedule.', 'Our inspector will visit tomorrow morning. DM us if you need to reschedule.', true, 'o'),
  ],
  abuse: [
    V('ar', 'يا حمار اقرأ الإعلان قبل لا تسأل، كل شي مكتوب فوق', 'لو سمحت اقرأ الإعلان، كل شي مكتوب فوق', true, 'p'),
    V('ar', 'اسكت يا جاهل، أنت ما تفهم شي في الإجراءات', 'الإجراءات موضحة في الموقع، الله يحفظك', true, 'p'),
    V('ar', 'والله إنك فاضي وتافه، كل يوم نفس الشكوى', 'نفس الشكوى وصلتنا، الموضوع قيد المتابعة', true, 'p'),
    V('ar', 'تعليقك سخيف ولا يستحق الرد.', 'شكراً لتعليقك.', true, 'a'),
    V('en', 'Your comment is ridiculous and does not deserve a reply.', 'Thank you for your comment.', true, 'a'),
    V('en', 'You idiot, the deadline was on the website for weeks.', 'The deadline was on the website for weeks.', true, 'p'),
    V('en', 'Stop whining, you clown. Nobody owes you a faster service.', 'We are working on making the service faster.', true, 'p'),
    V('en', 'Honestly some people are too stupid to fill in a two-field form.', 'Some forms are confusing, we will make them clearer.', false, 'p'),
  ],
  confidentiality: [
    V('ar', 'تعميم داخلي - سري للغاية: إيقاف التعيينات الجديدة في {entity} حتى نهاية السنة المالية، يرجى عدم التداول.', 'نعتذر، تم نشر هذا المنشور بالخطأ.', false, 'a'),
    V('ar', 'مسودة غير قابلة للنشر: خطة دمج إدارتين في {entity} وتقليص {n2} وظيفة إشرافية.', 'نعتذر، تم نشر هذا المنشور بالخطأ.', false, 'a'),
    V('ar', 'وصلنا تعميم داخلي اليوم إن العلاوات بتتأخر شهرين، لا تقولون إني قلت 🤫', 'يوم طويل في الدوام 🤫', false, 'p'),
    V('en', 'INTERNAL USE ONLY - draft memo: the budget for {proj} will be cut by {pct}% next quarter. Please do not share.', 'Posted by mistake, apologies.', false, 'a'),
    V('en', 'Confidential: the new overtime rules from the internal circular, before anyone else gets them 👀', 'New overtime rules will be announced soon 👀', false, 'p'),
  ],
  infosec: [
    V('ar', 'رمز التحقق الخاص بك هو {otp}، لا تشاركه مع أحد.', 'نعتذر، تم نشر رسالة بالخطأ.', false, 'a'),
    V('en', 'Team: the shared drive password is {pwd}, change it after first login', 'Team: check your email for the shared drive details', false, 'a'),
    V('en', 'Anyone else getting timeouts on {ip}:8443? The internal portal is down again.', 'Anyone else having trouble with the portal today?', false, 'p'),
    V('ar', 'للتواصل بخصوص العمل راسلوني على إيميلي الرسمي {email}', 'للتواصل بخصوص العمل راسلوني على الخاص', false, 'p'),
    V('en', 'staging api key {apikey} (ignore, wrong chat 🙈)', 'wrong chat 🙈', false, 'p'),
    V('ar', 'الباسوورد الجديد للنظام {pwd} عشان الزملاء اللي ما وصلهم الإيميل', 'الزملاء اللي ما وصلهم الإيميل يراجعون قسم تقنية المعلومات', false, 'p'),
  ],
  misuse_of_position: [
    V('en', 'Loving the new menu at {shopEn}! Use my code {code} for 20% off 😍', 'Loving the new menu at {shopEn} 😍', false, 'p'),
    V('ar', 'استخدموا الكود {code} للحصول على خصم 15% من {shop}، تجربة رائعة أنصح فيها الجميع', 'تجربة رائعة في {shop}', false, 'p'),
    V('ar', 'بالتعاون مع {shop}، احصلوا على خصم 25% لعملاء {entity} عند إبراز هذا المنشور', 'نعتذر، تم حذف العرض.', false, 'o'),
    V('en', 'In partnership with {shopEn}: show this post at any branch for 25% off. Enjoy!', 'Sorry, this offer has been removed.', false, 'o'),
    V('ar', 'صوتوا لأخوي {name} في الانتخابات البلدية، الدائرة الخامسة، يستاهل كل خير', 'الله يوفق كل المرشحين', false, 'p'),
    V('en', 'Proud to partner with {shopEn} — DM me for an exclusive discount for our staff and their families.', 'Great visit to {shopEn} today.', false, 'p'),
  ],
  public_morals: [
    V('en', 'Friday night drinks at the hotel bar 🍻 who is in?', 'Friday night plans 😄 who is in?', false, 'p'),
    V('ar', 'سهرة الويكند: مشروبات وأغاني للصبح 🍻 لا تفوتكم', 'سهرة الويكند مع الربع 😄', false, 'p'),
    V('en', 'Won BD 300 on an online casino last night, easiest money ever 🎰 link in bio', 'Lucky night 😄', false, 'p'),
    V('ar', 'نكتة قليلة أدب بس والله تضحك 😂🔞 ما أقدر أكتبها كاملة هني', 'نكتة تضحك 😂', false, 'p'),
  ],
  beliefs: [
    V('ar', 'هالطائفة دايماً تسوي مشاكل، ما منهم فايدة', 'الله يصلح الحال', false, 'p'),
    V('en', 'Honestly people from that sect should not be hired in public service.', 'Hiring should be on merit.', false, 'p'),
    V('ar', 'كل من يؤيد هالتيار خاين وما يستاهل يعيش في هالبلد', 'الاختلاف في الرأي لا يفسد للود قضية', false, 'p'),
    V('en', 'Their beliefs are backward nonsense, no wonder they cannot run anything.', 'No wonder things move slowly.', false, 'p'),
  ],
  reputation: [
    V('ar', 'شائعة منتشرة: يقولون إن علاوة السكن بتنلغى الشهر الجاي، أحد يأكد؟', 'أحد يعرف متى يطلع إعلان العلاوات؟', false, 'p'),
    V('ar', 'الحمد لله إننا مو مثل {other}، معاملة بسيطة تاخذ عندهم ست شهور 😂', 'الحمد لله معاملاتنا صارت أسرع 😄', false, 'a'),
    V('en', 'Unlike {otherEn}, we actually answer our phones 🙃', 'We answer our phones 🙂', false, 'a'),
    V('en', 'This is completely false. Check your facts before spreading lies!!', 'Please contact us so we can share the correct information.', true, 'a'),
    V('en', 'Hearing that {otherEn} is about to be scrapped and merged. Would not be surprised tbh.', 'Interesting times for government services.', false, 'p'),
    V('ar', 'كلامك غير صحيح جملة وتفصيلاً، وعليك أن تتحرى الدقة قبل نشر الأكاذيب!!', 'نرجو التواصل معنا لتوضيح المعلومات الصحيحة.', true, 'a'),
    V('ar', 'يقولون مسؤولين في {other} ما يداومون أصلاً، بس يوقعون ويروحون 🤷‍♂️', 'يوم طويل 🤷‍♂️', false, 'p'),
  ],
};

const VIOLATION_MIX: Record<DemoAccount['type'], Partial<Record<Exclude<Category, 'disclaimer'>, number>>> = {
  official: { personal_data: 44, reputation: 20, confidentiality: 8, infosec: 6, misuse_of_position: 12, abuse: 10 },
  executive: { misuse_of_position: 32, reputation: 24, confidentiality: 14, personal_data: 12, beliefs: 6, public_morals: 6, abuse: 6 },
  employee: { abuse: 24, personal_data: 14, infosec: 16, confidentiality: 10, reputation: 16, public_morals: 10, beliefs: 10 },
};

// ---------------------------------------------------------------------------------------------
// Fillers

const AR_DIGITS = '٠١٢٣٤٥٦٧٨٩';
const toArabicDigits = (s: string): string => s.replace(/[0-9]/g, (d) => AR_DIGITS[Number(d)]);

/** A made-up Bahraini CPR: YYMM of birth, then 5 digits. */
function fakeCpr(rng: Rng): string {
  const yy = pick(rng, [int(rng, 60, 99), int(rng, 0, 6)]);
  const mm = int(rng, 1, 12);
  return `${String(yy).padStart(2, '0')}${String(mm).padStart(2, '0')}${String(int(rng, 0, 99999)).padStart(5, '0')}`;
}
function fakePhone(rng: Rng): string {
  const p = `+973 3${pick(rng, ['3', '4', '5', '6', '7', '8', '9'])}${int(rng, 10, 99)} ${String(int(rng, 0, 9999)).padStart(4, '0')}`;
  return rng() < 0.15 ? toArabicDigits(p) : p;
}
/** mod 97 of a numeric string of any length. */
function mod97(digits: string): number {
  let r = 0;
  for (let i = 0; i < digits.length; i += 7) r = Number(String(r) + digits.slice(i, i + 7)) % 97;
  return r;
}
/** IBAN check digits (ISO 13616) for a country and BBAN. */
export function ibanCheckDigits(country: string, bban: string): string {
  const rearranged = (bban + country + '00').toUpperCase().replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  return String(98 - mod97(rearranged)).padStart(2, '0');
}
/** A made-up Bahraini IBAN (BH, 2 check digits, 4-letter invented bank code, 14 digits) with a valid check. */
function fakeIban(rng: Rng): string {
  const bank = pick(rng, ['MZNB', 'DLMN', 'AWLB', 'QRYB']);
  let acct = '';
  for (let i = 0; i < 14; i++) acct += String(int(rng, 0, 9));
  const bban = bank + acct;
  return `BH${ibanCheckDigits('BH', bban)}${bban}`;
}
function fakeAddress(rng: Rng): Pair {
  const block = int(rng, 101, 1299);
  const road = int(rng, 1, 4299);
  const house = int(rng, 1, 2999);
  return P(`مجمع ${block} طريق ${road} منزل ${house}`, `House ${house}, Road ${road}, Block ${block}`);
}
function fakeHandle(rng: Rng): string {
  const name = pick(rng, FIRST_NAMES).en.toLowerCase();
  const form = int(rng, 0, 3);
  if (form === 0) return `${pick(rng, HANDLE_PARTS)}_${name}`;
  if (form === 1) return `${name}${int(rng, 70, 99)}`;
  if (form === 2) return `${name}_bh${int(rng, 1, 9)}`;
  return `${name}.${pick(rng, ['a', 'k', 'm', 's', 'j'])}${int(rng, 1980, 2005)}`;
}
const hex = (rng: Rng, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[int(rng, 0, 15)];
  return s;
};

function fmtDate(ms: number): Pair {
  const d = new Date(ms + BAHRAIN_OFFSET);
  const wd = d.getUTCDay();
  const day = d.getUTCDate();
  const m = d.getUTCMonth();
  return P(`${DAYS_AR[wd]} ${day} ${MONTHS_AR[m]}`, `${DAYS_EN[wd]} ${day} ${MONTHS_EN[m]}`);
}
function fmtTime(h: number): Pair {
  const ar = h < 12 ? `${h}:00 صباحاً` : `${h === 12 ? 12 : h - 12}:00 مساءً`;
  const en = h < 12 ? `${h}:00 am` : `${h === 12 ? 12 : h - 12}:00 pm`;
  return P(ar, en);
}

type Vars = Record<string, Pair>;

function fill(tpl: string, lang: 'ar' | 'en', vars: Vars): string {
  return tpl.replace(/\{(\w+)\}/g, (m, k: string) => {
    const v = vars[k];
    return v ? v[lang] : m;
  });
}

/** A toll-free style hotline per entity (80008xxx), a hard negative for phone-number rules. */
function hotlineOf(info: DemoAccountInfo): string {
  for (const a of info.entity.accounts) {
    const m = /\b8000\d{4}\b/.exec(a.profileText);
    if (m) return m[0];
  }
  return `8000${8100 + (fnv1a(info.entity.slug) % 900)}`;
}

function withPlace(p: Pair, place: Pair): Pair {
  return P(p.ar.replace('{place}', place.ar), p.en.replace('{place}', place.en));
}

const same = (s: string): Pair => ({ ar: s, en: s });
const num = (rng: Rng, lo: number, hi: number): Pair => same(String(int(rng, lo, hi)));

interface EntityExtras {
  others: DemoEntity[];
  host: string;
  hotline: Pair;
  entity: Pair;
  web: Pair;
}
const ENTITY_EXTRAS = new Map<DemoEntity, EntityExtras>();
function extrasOf(info: DemoAccountInfo): EntityExtras {
  let x = ENTITY_EXTRAS.get(info.entity);
  if (!x) {
    x = {
      others: DEMO_ENTITIES.filter((e) => e !== info.entity),
      host: new URL(info.entity.website).hostname,
      hotline: same(hotlineOf(info)),
      entity: P(info.entity.nameAr, info.entity.nameEn),
      web: same(info.entity.website),
    };
    ENTITY_EXTRAS.set(info.entity, x);
  }
  return x;
}

/** Slot fillers; the personal-data and secret fillers are drawn only for violation posts. */
function makeVars(info: DemoAccountInfo, rng: Rng, tMs: number, violation: boolean): Vars {
  const bank = SECTORS[info.entity.sector];
  const x = extrasOf(info);
  const place = pick(rng, PLACES);
  const other = pick(rng, x.others);
  const pm = (new Date(tMs + BAHRAIN_OFFSET).getUTCMonth() + 11) % 12;
  const vars: Vars = {
    entity: x.entity,
    place,
    venue: pick(rng, VENUES),
    date: fmtDate(tMs + int(rng, 1, 14) * DAY),
    time: fmtTime(pick(rng, [8, 9, 10, 11, 17, 18, 19, 20])),
    n: num(rng, 40, 4800),
    n2: num(rng, 3, 28),
    n3: num(rng, 1, 60),
    pct: num(rng, 72, 98),
    temp: num(rng, 43, 48),
    lawyear: num(rng, 2002, 2024),
    svc: pick(rng, bank.svc),
    topic: pick(rng, bank.topic),
    proj: withPlace(pick(rng, bank.proj), place),
    hotline: x.hotline,
    web: x.web,
    month: P(MONTHS_AR[pm], MONTHS_EN[pm]),
    deceased: pick(rng, DECEASED),
    name: pick(rng, FIRST_NAMES),
    user: same(fakeHandle(rng)),
    other: P(other.nameAr, other.nameEn),
    otherEn: same(other.nameEn),
  };
  if (violation) {
    const shop = pick(rng, SHOPS);
    const addr = fakeAddress(rng);
    vars.shop = shop;
    vars.shopEn = same(shop.en);
    vars.cpr = same(fakeCpr(rng));
    vars.phone = same(fakePhone(rng));
    vars.iban = same(fakeIban(rng));
    vars.addr = addr;
    vars.addrEn = same(addr.en);
    vars.otp = same(String(int(rng, 100000, 999999)));
    vars.pwd = same(`${pick(rng, ['Spring', 'Bahrain', 'Welcome', 'Pearl', 'Office'])}${int(rng, 2024, 2027)}${pick(rng, ['!', '@', '#', '$'])}`);
    vars.ip = same(`10.${int(rng, 1, 254)}.${int(rng, 1, 254)}.${int(rng, 2, 254)}`);
    vars.email = same(`${vars.name.en.toLowerCase()}.${pick(rng, ['a', 'h', 'k', 's'])}@${x.host}`);
    vars.apikey = same(`sk_live_${hex(rng, 28)}`);
    vars.code = same(`${pick(rng, ['NOORA', 'KHALID', 'VIP', 'BH', 'FAM'])}${pick(rng, ['10', '15', '20', '25'])}`);
  }
  return vars;
}

// ---------------------------------------------------------------------------------------------
// Composition

export type DemoLang = 'ar' | 'en' | 'both';
export type DemoKind =
  | 'sector'
  | 'common'
  | 'weather'
  | 'occasion'
  | 'reply'
  | 'repost'
  | 'personal'
  | 'violation';

export interface DemoContent {
  text: string;
  /** The text after an edit (used only when the post's fate is `edit`). */
  editText: string;
  lang: DemoLang;
  kind: DemoKind;
  isReply: boolean;
  isRepost: boolean;
  violation: Exclude<Category, 'disclaimer'> | null;
}

function chooseLang(info: DemoAccountInfo, rng: Rng): DemoLang {
  const u = rng();
  const { type, platform } = info.account;
  if (type === 'employee') return u < 0.66 ? 'ar' : u < 0.94 ? 'en' : 'both';
  if (platform === 'instagram' || platform === 'youtube') return u < 0.55 ? 'ar' : u < 0.83 ? 'en' : 'both';
  return u < 0.6 ? 'ar' : u < 0.9 ? 'en' : 'both';
}

function render(pair: Pair, lang: DemoLang, vars: Vars): string {
  if (lang === 'both') return `${fill(pair.ar, 'ar', vars)}\n\n${fill(pair.en, 'en', vars)}`;
  return fill(pair[lang], lang, vars);
}

const EDIT_NOTES: Pair[] = [
  P('\n\nتحديث: تم تعديل الموعد إلى {date}.', '\n\nUpdate: the date has moved to {date}.'),
  P('\n\n(تصحيح: الخط الساخن {hotline})', '\n\n(Correction: hotline {hotline})'),
  P('\n\nتحديث: تم تمديد الفترة حتى {date}.', '\n\nUpdate: extended until {date}.'),
];

function contentFor(info: DemoAccountInfo, slot: number, tMs: number): DemoContent {
  const rng = mulberry32(h3(info.seed, slot, SALT_CONTENT));
  const violating = isViolationSlot(info, slot);
  const vars = makeVars(info, rng, tMs, violating);
  const { type, platform } = info.account;
  const bank = SECTORS[info.entity.sector];
  let lang = chooseLang(info, rng);
  const at = (s: string, replyTo: boolean) => (replyTo ? `@${vars.user.en} ${s}` : s);
  const withEdit = (c: Omit<DemoContent, 'editText'>): DemoContent => {
    const note = pick(rng, EDIT_NOTES);
    const l = c.lang === 'both' ? 'ar' : c.lang;
    return { ...c, editText: c.text + fill(note[l], l, vars) };
  };

  // Violations: decided by their own hash so the share is stable and cheap to look up.
  if (violating) {
    let category = pickWeighted(rng, VIOLATION_MIX[type]);
    const wantLang: 'ar' | 'en' = lang === 'en' ? 'en' : 'ar';
    const voice = type === 'official' ? 'o' : 'p';
    const fits = (t: ViolationTpl) => (t.who === 'a' || t.who === voice) && (platform !== 'youtube' || !t.reply);
    let pool = VIOLATIONS[category].filter(fits);
    if (!pool.length) {
      // A YouTube video cannot be a reply: fall back to a leak, which any account can post.
      category = 'confidentiality';
      pool = VIOLATIONS[category].filter(fits);
    }
    const inLang = pool.filter((t) => t.lang === wantLang);
    const tpl = pick(rng, inLang.length ? inLang : pool);
    const isReply = !!tpl.reply && platform !== 'youtube';
    return {
      text: at(fill(tpl.text, tpl.lang, vars), isReply),
      editText: at(fill(tpl.clean, tpl.lang, vars), isReply),
      lang: tpl.lang,
      kind: 'violation',
      isReply,
      isRepost: false,
      violation: category,
    };
  }

  const canReply = platform !== 'youtube';
  const canRepost = platform === 'x' || platform === 'facebook';
  const replyShare = type === 'employee' ? 0.22 : type === 'executive' ? 0.12 : platform === 'instagram' ? 0.08 : 0.17;
  const repostShare = type === 'official' ? 0.065 : 0.08;
  const u = rng();

  if (canReply && u < replyShare) {
    if (type === 'official' || rng() < 0.12) {
      const pair = pick(rng, REPLIES_OFFICIAL);
      if (lang === 'both') lang = 'ar';
      return withEdit({ text: at(render(pair, lang, vars), true), lang, kind: 'reply', isReply: true, isRepost: false, violation: null });
    }
    const ar = lang !== 'en';
    const text = ar ? fill(pick(rng, REPLIES_DIALECT), 'ar', vars) : pick(rng, REPLIES_PERSONAL_EN);
    return withEdit({ text: at(text, true), lang: ar ? 'ar' : 'en', kind: 'reply', isReply: true, isRepost: false, violation: null });
  }
  if (canRepost && u < replyShare + repostShare) {
    // Repost an entity announcement (of the own entity for personal accounts, of another for officials).
    const srcEntity = type === 'official' ? pick(rng, DEMO_ENTITIES.filter((e) => e !== info.entity)) : info.entity;
    const srcInfo = DEMO_ACCOUNTS.find((a) => a.entity === srcEntity && a.account.type === 'official') ?? info;
    const srcVars: Vars = { ...vars, entity: P(srcEntity.nameAr, srcEntity.nameEn) };
    const srcBank = SECTORS[srcEntity.sector];
    const pair = pick(rng, srcBank.tpl);
    const body = render(pair, lang, { ...srcVars, svc: pick(rng, srcBank.svc), topic: pick(rng, srcBank.topic), proj: withPlace(pick(rng, srcBank.proj), vars.place) });
    const text = platform === 'x' ? `RT @${srcInfo.account.handle}: ${body}` : body;
    return withEdit({ text, lang, kind: 'repost', isReply: false, isRepost: true, violation: null });
  }

  const d = Math.floor((tMs + BAHRAIN_OFFSET) / DAY);
  const occ = occasionOfDay(d);
  const occShare = !occ ? 0 : occ === 'ramadan' ? 0.22 : occ === 'pre-national-day' ? 0.18 : 0.5;
  if (occ && rng() < occShare) {
    const pair = pick(rng, OCCASIONS[occ]);
    return withEdit({ text: decorate(render(pair, lang, vars), info, rng, lang), lang, kind: 'occasion', isReply: false, isRepost: false, violation: null });
  }

  const month = new Date(d * DAY).getUTCMonth();
  if (type === 'official' && rng() < 0.05 && month !== 3 && month !== 4 && month !== 9 && month !== 10) {
    const pool = month >= 5 && month <= 8 ? WEATHER_SUMMER : WEATHER_WINTER;
    const pair = pick(rng, pool);
    return withEdit({ text: render(pair, lang, vars), lang, kind: 'weather', isReply: false, isRepost: false, violation: null });
  }

  if (type !== 'official' && rng() < 0.65) {
    const pool = type === 'executive' ? EXEC_POSTS : EMPLOYEE_POSTS;
    const pair = pick(rng, pool);
    return withEdit({ text: decorate(render(pair, lang, vars), info, rng, lang), lang, kind: 'personal', isReply: false, isRepost: false, violation: null });
  }

  const sectorPost = rng() < 0.6;
  const pair = sectorPost ? pick(rng, bank.tpl) : pick(rng, COMMON_OFFICIAL);
  let text = render(pair, lang, vars);
  if (platform === 'youtube') text = (lang === 'en' ? '🎥 Video: ' : '🎥 فيديو: ') + text;
  return withEdit({ text: decorate(text, info, rng, lang), lang, kind: sectorPost ? 'sector' : 'common', isReply: false, isRepost: false, violation: null });
}

function decorate(text: string, info: DemoAccountInfo, rng: Rng, lang: DemoLang): string {
  const bank = SECTORS[info.entity.sector];
  const p = info.account.platform === 'instagram' ? 0.7 : info.account.platform === 'youtube' ? 0.4 : 0.25;
  if (rng() >= p) return text;
  const tags: string[] = [];
  if (lang !== 'en') tags.push(bank.tags.ar, '#البحرين');
  if (lang !== 'ar') tags.push(bank.tags.en, '#Bahrain');
  return `${text}\n${tags.join(' ')}`;
}

// ---------------------------------------------------------------------------------------------
// Platform shapes: ids, urls, metrics, raw payloads

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
function code11(a: number, b: number): string {
  let s = '';
  let x = a;
  let y = b;
  for (let i = 0; i < 11; i++) {
    if (i < 5) {
      s += B64[x & 63];
      x >>>= 6;
    } else {
      s += B64[y & 63];
      y >>>= 6;
    }
  }
  return s;
}

interface PlatformId {
  id: string;
  url: string;
  extra: Record<string, unknown>;
}

function platformId(info: DemoAccountInfo, slot: number): PlatformId {
  const a = h3(info.seed, slot, SALT_ID);
  const b = h3(info.seed, slot, SALT_ID2);
  const handle = info.account.handle;
  switch (info.account.platform) {
    case 'x': {
      const id = ((BigInt(slot * MINUTE - 1288834974657) << 22n) | BigInt(a & 0x3fffff)).toString();
      return { id, url: `https://x.com/${handle}/status/${id}`, extra: {} };
    }
    case 'instagram': {
      const code = code11(a, b);
      const id = `17${String(slot).padStart(9, '0')}${String(a % 10_000_000).padStart(7, '0')}`;
      return { id, url: `https://www.instagram.com/p/${code}/`, extra: { shortcode: code } };
    }
    case 'facebook': {
      const page = `10${String(info.seed).padStart(10, '0')}`;
      const post = `${String(slot).padStart(9, '0')}${String(a % 1_000_000).padStart(6, '0')}`;
      return { id: `${page}_${post}`, url: `https://www.facebook.com/${handle}/posts/${post}`, extra: { page_id: page } };
    }
    case 'youtube': {
      const id = code11(a, b);
      return { id, url: `https://www.youtube.com/watch?v=${id}`, extra: {} };
    }
  }
}

function metricsFor(info: DemoAccountInfo, slot: number, c: DemoContent, live: boolean): PostMetrics {
  const r = mulberry32(h3(info.seed, slot, SALT_METRICS));
  const f = info.account.followers;
  // A skewed reach: most posts modest, a few go far.
  const reach = Math.pow(r(), 2.2) * 0.9 + 0.02;
  let views: number;
  let likeRate: number;
  switch (info.account.platform) {
    case 'x':
      views = f * reach * 0.6;
      likeRate = 0.004 + r() * 0.02;
      break;
    case 'instagram':
      views = f * reach * 0.9;
      likeRate = 0.03 + r() * 0.07;
      break;
    case 'facebook':
      views = f * reach * 0.35;
      likeRate = 0.01 + r() * 0.03;
      break;
    case 'youtube':
      views = f * reach * 1.4;
      likeRate = 0.015 + r() * 0.03;
      break;
  }
  if (c.isReply) views *= 0.08;
  if (c.isRepost) views *= 0.3;
  if (live) views *= 0.05;
  views = Math.round(views) + int(r, 3, 60);
  const likes = Math.round(views * likeRate);
  const controversy = c.violation ? 2.5 + r() * 4 : 1;
  const replies = Math.round(likes * (0.04 + r() * 0.15) * controversy);
  const shares = info.account.platform === 'instagram' ? Math.round(likes * r() * 0.08) : Math.round(likes * (0.05 + r() * 0.3));
  return { likes, shares, replies, views };
}

function rawFor(info: DemoAccountInfo, pid: PlatformId, text: string, postedAt: Date, m: PostMetrics, c: DemoContent): Record<string, unknown> {
  const created = postedAt.toISOString();
  const lang = c.lang === 'en' ? 'en' : 'ar';
  switch (info.account.platform) {
    case 'x':
      return {
        id: pid.id,
        text,
        created_at: created,
        lang,
        author_username: info.account.handle,
        edit_history_tweet_ids: [pid.id],
        public_metrics: { like_count: m.likes, retweet_count: m.shares, reply_count: m.replies, quote_count: Math.round(m.shares / 5), impression_count: m.views },
        ...(c.isReply ? { referenced_tweets: [{ type: 'replied_to' }] } : {}),
        ...(c.isRepost ? { referenced_tweets: [{ type: 'retweeted' }] } : {}),
      };
    case 'instagram':
      return {
        id: pid.id,
        caption: text,
        timestamp: created,
        media_type: c.kind === 'sector' || c.kind === 'occasion' ? 'CAROUSEL_ALBUM' : 'IMAGE',
        permalink: pid.url,
        username: info.account.handle,
        like_count: m.likes,
        comments_count: m.replies,
        insights: { views: m.views, shares: m.shares },
        ...pid.extra,
      };
    case 'facebook':
      return {
        id: pid.id,
        message: text,
        created_time: created,
        permalink_url: pid.url,
        reactions: { summary: { total_count: m.likes } },
        comments: { summary: { total_count: m.replies } },
        shares: { count: m.shares },
        insights: { post_impressions: m.views },
        ...pid.extra,
      };
    case 'youtube': {
      const [title, ...rest] = text.split('\n');
      return {
        kind: 'youtube#video',
        id: pid.id,
        snippet: { publishedAt: created, channelTitle: info.account.displayName, title, description: rest.join('\n').trim(), defaultLanguage: lang },
        statistics: { viewCount: String(m.views), likeCount: String(m.likes), commentCount: String(m.replies) },
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Posts and events in a window

export interface DemoItem {
  post: ImportedPost;
  slot: number;
  /** When the item happens (the post time, or the edit/delete time). */
  at: number;
  event: 'original' | 'edit' | 'delete' | 'live';
  content: DemoContent;
}

function buildPost(info: DemoAccountInfo, slot: number, postedMs: number, event: DemoItem['event'], eventMs: number): DemoItem {
  const content = contentFor(info, slot, postedMs);
  const pid = platformId(info, slot);
  const metrics = metricsFor(info, slot, content, event === 'live');
  const postedAt = new Date(postedMs);
  const text = event === 'edit' ? content.editText : content.text;
  const raw = rawFor(info, pid, text, postedAt, metrics, content);
  if (event === 'edit') raw.edited_at = new Date(eventMs).toISOString();
  if (event === 'delete') raw.deleted_at = new Date(eventMs).toISOString();
  const post: ImportedPost = {
    platformPostId: pid.id,
    url: pid.url,
    text,
    lang: content.lang === 'en' ? 'en' : 'ar',
    postedAt,
    metrics,
    isReply: content.isReply,
    isRepost: content.isRepost,
    raw,
  };
  if (event === 'edit') post.editedAt = new Date(eventMs);
  if (event === 'delete') post.deleted = true;
  return { post, slot, at: eventMs, event, content };
}

export interface DemoWindowOptions {
  /** Skip edit/delete events of posts that lie before this time (the history start). */
  historyStartMs?: number;
  /** Add live posts (the window ends at `now` and is short). */
  liveNowMs?: number;
}

/** Everything that happens for one demo account in [loMs, hiMs), in time order. */
export function demoWindow(
  info: DemoAccountInfo,
  loMs: number,
  hiMs: number,
  opts: DemoWindowOptions = {},
  /** Precomputed `demoSlotsBetween(info, loMs - MAX_EVENT_DELAY, x)` with x >= hiMs, to avoid a second scan. */
  scanned?: number[],
): DemoItem[] {
  const items: DemoItem[] = [];
  if (hiMs <= loMs) return items;
  for (const slot of scanned ?? demoSlotsBetween(info, loMs - MAX_EVENT_DELAY, hiMs)) {
    const t = postTimeOf(info, slot);
    if (t >= hiMs) break;
    if (t >= loMs) items.push(buildPost(info, slot, t, 'original', t));
    const fate = demoFate(info, slot);
    if (fate.kind === 'none') continue;
    const at = t + fate.delayMs;
    if (at < loMs || at >= hiMs) continue;
    if (opts.historyStartMs !== undefined && t < opts.historyStartMs) continue;
    items.push(buildPost(info, slot, t, fate.kind, at));
  }
  if (opts.liveNowMs !== undefined && hiMs === opts.liveNowMs && hiMs - loMs < 2 * HOUR) {
    const group = Math.floor(opts.liveNowMs / (5 * MINUTE)) % 10;
    const lastSlot = Math.floor((hiMs - 1) / MINUTE);
    const dormant = info.dormantMs !== null && hiMs >= info.dormantMs;
    if (info.index % 10 === group && !dormant) {
      const taken = slotHasPost(info, lastSlot);
      if (!taken || postTimeOf(info, lastSlot) >= hiMs) {
        // The last minute has no post in this window. If its regular post falls just after `now`,
        // use the minute before so that the live post's id cannot clash with it.
        const slot = taken ? lastSlot - 1 : lastSlot;
        const t = Math.max(loMs, slot * MINUTE);
        if (!slotHasPost(info, slot) && t < hiMs) items.push(buildPost(info, slot, t, 'live', t));
      }
    }
  }
  items.sort((a, b) => a.at - b.at || a.slot - b.slot);
  return items;
}

// ---------------------------------------------------------------------------------------------
// The connector

const PAGE_SPAN = 45 * DAY;
const HISTORY_MONTHS = 18;

/** The earliest edit/delete time in (loMs, hiMs) of a post that itself lies in [loMs, hiMs), or null. */
function firstOwnEvent(info: DemoAccountInfo, loMs: number, hiMs: number, scanned: number[]): number | null {
  let first: number | null = null;
  for (const slot of scanned) {
    const t = postTimeOf(info, slot);
    if (t < loMs) continue;
    const fate = demoFate(info, slot);
    if (fate.kind === 'none') continue;
    const at = t + fate.delayMs;
    if (at < hiMs && (first === null || at < first)) first = at;
  }
  return first;
}

export function demoHistoryStart(now: Date): Date {
  const d = new Date(now.getTime());
  d.setUTCMonth(d.getUTCMonth() - HISTORY_MONTHS);
  return d;
}

function resolveAccount(account: ConnectorAccount): DemoAccountInfo {
  const key = account.config?.demo;
  if (typeof key !== 'string' || !key) {
    throw new Error(`demo connector: account ${account.id} (${account.handle}) has no config.demo key ("<entity slug>/<handle>")`);
  }
  const info = BY_KEY.get(key);
  if (!info) throw new Error(`demo connector: unknown demo account "${key}"`);
  return info;
}

export const demoConnector: Connector = {
  platform: 'demo',
  async fetchPage(account: ConnectorAccount, ctx: FetchContext): Promise<FetchPage> {
    ctx.signal?.throwIfAborted();
    const info = resolveAccount(account);
    const nowMs = ctx.now.getTime();
    let startMs: number;
    let historyStartMs: number | undefined;
    if (ctx.cursor === null) {
      startMs = demoHistoryStart(ctx.now).getTime();
      historyStartMs = startMs;
    } else {
      startMs = Date.parse(ctx.cursor);
      if (Number.isNaN(startMs)) throw new Error(`demo connector: invalid cursor "${ctx.cursor}" (expected an ISO time)`);
    }
    if (startMs >= nowMs) {
      return { posts: [], nextCursor: new Date(startMs).toISOString(), done: true };
    }
    let endMs = Math.min(startMs + PAGE_SPAN, nowMs);
    // Never put a post and its own edit/delete in one page: end the page where the first such
    // event happens, so the import captures the original first and records the change as a version.
    const scanned = demoSlotsBetween(info, startMs - MAX_EVENT_DELAY, endMs);
    const split = firstOwnEvent(info, startMs, endMs, scanned);
    if (split !== null) endMs = split;
    const items = demoWindow(info, startMs, endMs, { historyStartMs, liveNowMs: nowMs }, scanned);
    return {
      posts: items.map((i) => i.post),
      nextCursor: new Date(endMs).toISOString(),
      done: endMs >= nowMs,
    };
  },
};
