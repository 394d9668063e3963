// Generated post texts shared by the benchmarks: realistic government posts in Arabic and English, and
// texts with something the rulebook flags. Deterministic (a seeded PRNG), so every run measures the same.
// The same seeded PRNG (mulberry32) as the model's training split.
export { prng as rng } from '../../jobs/scoring/model/train-core.ts';

export const AR = [
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
export const EN = [
  'The Ministry of Public Services launched a new online service to make renewals faster for citizens',
  'Ramadan Kareem to all! Our service centres will open from 9 am to 2 pm during the holy month',
  'Join us at the annual exhibition this Thursday. Entry is free and open to everyone',
  'For enquiries please call our hotline 80008000 or email info@mops.gov.bh',
  'The class of 2024 graduates celebrated today. Congratulations on this classic achievement',
  'Our assessment of the new road project in Block 338 is now complete',
  'We are proud to announce the results of the national innovation award',
];
export const BAD = [
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

/** A post of 80–280 characters drawn from `r`: 60% Arabic; with probability `flagRate` something the rulebook flags, in its first half. */
export function generatedText(r: () => number, flagRate: number): { text: string; lang: 'ar' | 'en' } {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)];
  const arabic = r() < 0.6;
  const target = 80 + Math.floor(r() * 201);
  let text = '';
  while (text.length < target) text += (text ? (arabic ? '، ' : '. ') : '') + pick(arabic ? AR : EN);
  if (r() < flagRate) {
    const cut = Math.floor(r() * text.length * 0.5);
    text = `${text.slice(0, cut)} ${pick(BAD)} ${text.slice(cut)}`;
  }
  return { text, lang: arabic ? 'ar' : 'en' };
}
