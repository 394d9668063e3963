// Scoring throughput: `npm run bench:score`
// Generates 100,000 mixed posts (80–280 chars, 60% Arabic, some with violations), scores them with
// the full rulebook on one core, and compares with a baseline that applies the same lexicon as one
// RegExp per term. Prints medians of several repetitions and the peak RSS (sampled).

import { loadRulebook, scorePost } from '../../jobs/scoring/engine.ts';
import type { AccountType } from '../../jobs/scoring/types.ts';

const N = Number(process.env.BENCH_POSTS ?? 100_000);
const REPS = Number(process.env.BENCH_REPS ?? 5);
const BASELINE_POSTS = Number(process.env.BENCH_BASELINE_POSTS ?? 4_000);
const BASELINE_REPS = 3;

// deterministic PRNG (mulberry32)
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AR = [
  'تعلن وزارة الخدمات العامة عن إطلاق خدمة إلكترونية جديدة لتسهيل إجراءات المواطنين والمقيمين',
  'بمناسبة حلول شهر رمضان المبارك نتقدم بأطيب التهاني، رمضان كريم وكل عام وأنتم بخير',
  'استقبل سعادة الوكيل وفداً من هيئة الحكومة الرقمية لبحث سبل التعاون المشترك في مجال التحول الرقمي',
  'للاستفسار يرجى التواصل مع مركز الاتصال على الرقم 80008000 على مدار الساعة',
  'تدعو الهيئة الجمهور إلى زيارة المعرض السنوي في مركز المعارض يوم الخميس المقبل',
  'عظم الله أجركم وأحسن عزاءكم، إنا لله وإنا إليه راجعون',
  'حكمت المحكمة الكبرى الجنائية بسجن متهم ثلاث سنوات وفقاً للمادة 365 من قانون العقوبات',
  'أعمال صيانة على طريق 45 في مجمع 1203 ابتداءً من يوم الأحد، نرجو من السائقين الالتزام بالتحويلات',
  'شاركونا في حملة التبرع بالدم يوم السبت في المستشفى الرئيسي من الساعة 8 صباحاً',
  'الحمد لله على نجاح موسم الحج، ونتمنى للجميع الصحة والسلامة إن شاء الله',
  'والله الخدمة صارت سريعة وايد، مشكورين على الجهود الطيبة',
  'هالمشروع بيخدم الناس كتير، يعطيكم العافية يا شباب',
  'ازيكم يا جماعة، الخدمة الجديدة حلوة أوي وسهلة',
  'ينتهي التسجيل في البرنامج التدريبي نهاية الشهر الجاري، سارعوا بالتسجيل عبر الموقع',
];
const EN = [
  'The Ministry of Public Services launched a new online service to make renewals faster for citizens',
  'Ramadan Kareem to all! Our service centres will open from 9 am to 2 pm during the holy month',
  'Join us at the annual exhibition this Thursday. Entry is free and open to everyone',
  'For enquiries please call our hotline 80008000 or email info@mops.gov.bh',
  'The class of 2024 graduates celebrated today. Congratulations on this classic achievement',
  'Our assessment of the new road project in Block 338 is now complete',
  'We are proud to announce the results of the national innovation award',
];
const BAD = [
  'يا حمار انت ما تفهم',
  'انت غبي ومتخلف',
  'you idiot, stop posting',
  'f*ck this service',
  'سري للغاية: تعميم داخلي رقم 45',
  'تواصلوا معي على 36123456',
  'IBAN BH67BMAG00001299123456',
  'كلمة المرور: Admin@2024',
  'استخدموا الكود SAVE20 للحصول على خصم',
  'الروافض كلاب',
  'الوزارة فاشلة فشل ذريع',
  'ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ',
  'server at 10.0.12.5 is down',
];

function makePosts(n: number): { text: string; accountType: AccountType }[] {
  const r = rng(42);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const accounts: AccountType[] = ['official', 'official', 'official', 'executive', 'employee'];
  const posts: { text: string; accountType: AccountType }[] = [];
  for (let i = 0; i < n; i++) {
    const arabic = r() < 0.6;
    const target = 80 + Math.floor(r() * 201);
    let text = '';
    while (text.length < target) text += (text ? (arabic ? '، ' : '. ') : '') + pick(arabic ? AR : EN);
    if (r() < 0.12) {
      const cut = Math.floor(r() * text.length * 0.5);
      text = text.slice(0, cut) + ' ' + pick(BAD) + ' ' + text.slice(cut);
    }
    if (text.length > 280) text = text.slice(0, 280);
    if (text.length < 80) text = text.padEnd(80, ' .');
    posts.push({ text, accountType: pick(accounts) });
  }
  return posts;
}

let peakRss = 0;
function sampleRss(): void {
  const r = process.memoryUsage().rss;
  if (r > peakRss) peakRss = r;
}
const sampler = setInterval(sampleRss, 20);
sampler.unref();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const t0 = performance.now();
const rb = loadRulebook();
const loadMs = performance.now() - t0;
const posts = makePosts(N);
sampleRss();

// warm-up
let flagged = 0;
for (let i = 0; i < Math.min(N, 20_000); i++) scorePost(rb, posts[i]);

const engineRates: number[] = [];
for (let rep = 0; rep < REPS; rep++) {
  flagged = 0;
  const s = performance.now();
  for (let i = 0; i < N; i++) {
    const res = scorePost(rb, posts[i]);
    if (res.findings.length) flagged++;
    if ((i & 4095) === 0) sampleRss();
  }
  const ms = performance.now() - s;
  engineRates.push(N / (ms / 1000));
}
sampleRss();

// baseline: the same lexicon, one RegExp per term, Unicode-aware boundaries on the lowercased text
const terms = new Set<string>();
for (const src of Object.values(rb.sources)) {
  for (const m of src.matchAll(/^\s+- (?:=)?([^@\n"{}[\]#][^\n#]*)$/gm)) {
    const t = m[1].trim().replace(/^['"]|['"]$/g, '');
    if (t && !/^[a-z_]+:/.test(t)) terms.add(t.toLowerCase());
  }
  for (const m of src.matchAll(/^\s+(?:terms|near|exceptions|negations): \[([^\]]*)\]/gm))
    for (const part of m[1].split(',')) {
      const t = part.trim().replace(/^=/, '').replace(/^['"]|['"]$/g, '');
      if (t && !t.startsWith('@')) terms.add(t.toLowerCase());
    }
}
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// The literal comes first so that V8 can scan for it; the boundary before it is checked by a lookbehind after it.
const regexes = [...terms].map((t) => new RegExp(`${esc(t)}(?<=(?:^|[^\\p{L}\\p{N}])${esc(t)})(?![\\p{L}\\p{N}])`, 'u'));
const baseRates: number[] = [];
const bn = Math.min(BASELINE_POSTS, N);
let baseHits = 0;
for (let rep = 0; rep < BASELINE_REPS; rep++) {
  baseHits = 0;
  const s = performance.now();
  for (let i = 0; i < bn; i++) {
    const text = posts[i].text.toLowerCase();
    for (const re of regexes) if (re.test(text)) baseHits++;
  }
  const ms = performance.now() - s;
  baseRates.push(bn / (ms / 1000));
}
sampleRss();
clearInterval(sampler);

const eng = median(engineRates);
const base = median(baseRates);
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
console.log(`rulebook ${rb.version}: ${rb.rules.length} rules, ${rb.automaton.terms.length} automaton terms, ${rb.automaton.stateCount} states, loaded in ${loadMs.toFixed(0)} ms`);
console.log(`posts: ${fmt(N)} (flagged ${((flagged / N) * 100).toFixed(1)}%), repetitions: ${REPS}`);
console.log(`engine:   ${fmt(eng)} posts/s (median; runs: ${engineRates.map(fmt).join(', ')})`);
console.log(`baseline: ${fmt(base)} posts/s (median of ${BASELINE_REPS} runs over ${fmt(bn)} posts; ${regexes.length} regexes, one per term)`);
console.log(`ratio:    ${(eng / base).toFixed(1)}x`);
console.log(`peak RSS: ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
const ok = eng >= 100_000 && eng / base >= 20 && peakRss < 300 * 1024 * 1024;
console.log(ok ? 'targets met (≥100,000 posts/s, ≥20x baseline, <300 MB)' : 'TARGETS NOT MET (≥100,000 posts/s, ≥20x baseline, <300 MB)');
