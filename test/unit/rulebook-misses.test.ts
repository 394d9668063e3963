// The kinds of misses an independent test found (issue 10, "Misses to close in the rulebook and detectors"):
// for each kind, posts that must be found (in the expected category, with the span on the original text) and
// hard negatives that must stay clean. The sentences are written for this file; none comes from the held-out
// or blind sets.
import { describe, expect, test } from 'vitest';
import { scorePost } from '../../jobs/scoring/engine.ts';
// the rulebook alone (engine.ts's loadRulebook attaches the trained model, whose findings are tested elsewhere)
import { loadRulebook } from '../../jobs/scoring/rulebook.ts';
import type { AccountType, Category } from '../../jobs/scoring/types.ts';

const rb = loadRulebook();
const score = (text: string, accountType: AccountType = 'official') => scorePost(rb, { text, accountType });

/** Positive: the category is found, and `match` (when given) is the text of one of its findings. */
function expectFound(text: string, category: Category, match?: string, accountType?: AccountType): void {
  const r = score(text, accountType);
  const inCat = r.findings.filter((f) => f.category === category);
  expect(inCat.map((f) => f.rule), `${category} in ${JSON.stringify(text)}; found ${JSON.stringify(r.findings.map((f) => f.rule))}`).not.toEqual([]);
  for (const f of inCat) expect(text.slice(f.start, f.end)).toBe(f.match);
  if (match !== undefined) expect(inCat.map((f) => f.match)).toContain(match);
}

/** Hard negative: no finding in any post category. */
function expectClean(text: string, accountType?: AccountType): void {
  const r = score(text, accountType);
  expect(r.findings.map((f) => `${f.rule} «${f.match}»`), JSON.stringify(text)).toEqual([]);
}

describe('obfuscated abuse', () => {
  test.each([
    ['you are a b i t c h', 'b i t c h'],
    ['this ministry is full of S.H.I.T', 'S.H.I.T'],
    ['shut up b-i-t-c-h', 'b-i-t-c-h'],
    ['what a b*tch', 'b*tch'],
    ['kiss my a$$', 'kiss my a$$'],
    ['f@ck you and your ministry', 'f@ck'],
    ['you are a b@stard', 'b@stard'],
    ['you are so stuuuupid', undefined],
    ['انت ك ل ب والله', undefined],
    ['يا غبيييي', undefined],
    ['يا ك.ل.ب', undefined],
  ])('%j is abuse', (text, match) => expectFound(text, 'abuse', match));

  test.each([
    ['enta kalb w ma tefham', 'enta kalb'],
    ['inta 7ayawan', 'inta 7ayawan'],
    ['ya 7mara shu hal 7aki', 'ya 7mara'],
    ['kol 5ara ya zalameh', 'kol 5ara'],
    ['5ara 3aleik w 3ala wezartak', '5ara 3aleik'],
    ['ebn el kalb ma byestehi', 'ebn el kalb'],
    ['yel3an abook ya 7aywan', undefined],
  ])('Arabizi %j is abuse', (text, match) => expectFound(text, 'abuse', match));

  test.each([
    'Happy birthday ya Sara, many happy returns',
    'Contact us at info@ministry.gov.bh',
    'The price is US$ 100 per ticket',
    'Big thanks to the A B C D team for the great work',
    'a b c: the basics of reading for our youngest pupils',
    'Ask for Ahmed at the front desk: ahmed.ali@example.com',
    'Great class today, thank you teachers',
    'Our bad@ss robotics team won the regional final',
  ])('clean: %j', (text) => {
    const r = score(text);
    expect(r.findings.filter((f) => f.category === 'abuse').map((f) => f.match), text).toEqual([]);
  });
});

describe('credentials in Arabic', () => {
  test.each([
    ['كلمة المرور: ٤٥٦٧٨٩Ab', '٤٥٦٧٨٩Ab'],
    ['الباسوورد Qw12345!', 'Qw12345!'],
    ['الرقم السري ٤٥٨٢', '٤٥٨٢'],
    ['رمز التحقق \u2066٤٨٢٩١٣\u2069', '٤٨٢٩١٣'],
    ['كود الدخول: 739201', '739201'],
    ['كود الدخول\u200f: \u2067٧٣٩٢٠١\u2069', '٧٣٩٢٠١'],
    ['كلمة المرور \u200fAbc@2024\u200f', 'Abc@2024'],
    ['كلمة المرور ٤٥٦٧٨٩', '٤٥٦٧٨٩'],
    ['كلمة\u2066 المرور\u2069 هي 9913', '9913'],
  ])('%j exposes a credential', (text, match) => expectFound(text, 'infosec', match));

  test.each([
    'لا تشارك كلمة المرور أو رمز التحقق مع أي شخص',
    'يجب أن تحتوي كلمة المرور على 8 خانات على الأقل',
    'رمز التحقق يصلك خلال 60 ثانية',
    'الرمز البريدي 12345 للمنطقة الشمالية',
    'سيصلك رمز التحقق عبر رسالة نصية خلال دقائق',
  ])('clean: %j', (text) => expectClean(text));
});

describe('personal data of a person', () => {
  test.each([
    ['الموظف أحمد علي يعاني من مرض السكري ولن يحضر', 'condition'],
    ['المعلم خالد مدمن مخدرات منذ سنوات', 'addiction'],
    ['زميلنا جاسم يتعالج من الإدمان في الخارج', 'addiction'],
    ['John Smith is in rehab for alcohol addiction', 'addiction, named'],
    ['Our colleague Mr. Saleh was diagnosed with cancer last week', 'condition'],
    ['تمت إحالة الموظف محمد حسن إلى التحقيق', 'investigation'],
    ['الموظفة مريم موقوفة عن العمل بسبب المخالفة', 'suspension'],
    ['The teacher Mr. Ali received a final warning yesterday', 'discipline'],
    ['الطالب يوسف (12 سنة) أصيب بكسر في الجمجمة أثناء الفسحة', 'minor injury'],
    ['ابني سلمان اصيب بحروق من الدرجة الثانية في المدرسة', 'minor injury'],
    ['Student Omar, 9 years old, suffered a concussion in the playground', 'minor injury'],
    ['ننشر أسماء الموظفين المفصولين من الإدارة: أحمد، علي، حسن', 'staff list'],
    ['Here is the list of employees who were suspended this month', 'staff list'],
  ])('%j (%s)', (text) => expectFound(text, 'personal_data'));

  test.each([
    'حملة توعية: مرض السكري يصيب واحداً من كل عشرة، الفحص المبكر ينقذ الأرواح',
    'افتتاح مركز علاج الإدمان الجديد بطاقة 50 سريراً',
    'اليوم العالمي للتوعية بالتوحد: ندعم أسر الأطفال المصابين',
    'Diabetes awareness week: free screening for all citizens',
    'Anyone who is addicted to drugs can call the helpline in confidence',
    'وفقاً للائحة، يحال الموظف المخالف إلى التحقيق الإداري',
    'The policy says any employee who breaks the rules will be referred for investigation',
    'النيابة العامة: إحالة المتهمين إلى المحكمة',
    'نصائح السلامة: كيف تحمي الأطفال من الحروق في المنزل',
    'أسماء الطلبة المقبولين في البعثات الدراسية للعام الجديد',
    'List of employees honoured for 25 years of service',
    'Bahrain is ready for the marathon',
    'Service was suspended for two hours due to maintenance',
  ])('clean: %j', (text) => expectClean(text));
});

describe('confidentiality', () => {
  test.each([
    ['قرارات الاجتماع المغلق: تقليص الميزانية بنسبة 20%', 'closed meeting'],
    ['ننشر لكم محضر اجتماع اللجنة المرفق', 'minutes'],
    ['Here are the minutes of the meeting, attached', 'minutes'],
    ['مسودة غير للنشر: الهيكل التنظيمي الجديد', 'not for release'],
    ['DRAFT - not for release: new fees from January', 'not for release'],
    ['نتائج المناقصة قبل الإعلان: فازت شركة الأمل', 'tender'],
    ['Tender results leaked: the winning bid was 2.1m', 'tender'],
    ['التقرير مصنف مقيد ولكن هذه أهم نتائجه', 'restricted'],
    ['This report is marked restricted, but here are the findings', 'restricted'],
    ['الترتيبات الأمنية لزيارة الوزير غداً: المدخل الخلفي', 'security arrangements'],
    ['The motorcade route for the visit goes through the old souq', 'security arrangements'],
    ['بيني وبينك الوزارة ستلغي المشروع', 'between us'],
    ['Just between us, the ministry will cancel the project', 'between us'],
    ['Off the record: the minister is leaving next month', 'off the record'],
  ])('%j (%s)', (text) => expectFound(text, 'confidentiality'));

  test.each([
    'عقدت اللجنة اجتماعاً مغلقاً لمناقشة الخطة السنوية',
    'صادق المجلس على محضر الاجتماع السابق',
    'The council approved the minutes of the previous meeting',
    'مجلس المناقصات يعلن نتائج المناقصة رقم 12/2026',
    'نهيب بالمواطنين الالتزام بالتحويلات المرورية خلال الزيارة الرسمية، والترتيبات الأمنية تبدأ غداً',
    'التعاون بيننا وبين وزارة التربية مستمر',
    'The partnership between us and UNICEF continues',
    'نتائج الامتحانات تعلن الأسبوع المقبل',
  ])('clean: %j', (text) => expectClean(text));
});

describe('reputation', () => {
  test.each([
    ['نضحك على بلدية المنطقة الشمالية وخدماتها', 'mockery'],
    ['صارت الوزارة أضحوكة أمام الناس', 'mockery'],
    ['The municipality is a laughing stock after this', 'mockery'],
    ['التأخير بسبب تقاعس البلدية وليس بسببنا', 'blame'],
    ['Not our fault: the ministry of works is to blame for the delay', 'blame'],
    ['اسأل مرجعيتك قبل أن تنتقد الوزارة', 'sectarian jab'],
    ['We know your sectarian agenda', 'sectarian jab'],
  ])('%j (%s)', (text) => expectFound(text, 'reputation'));

  test.each([
    'نخدم جميع المواطنين بغض النظر عن طائفتك أو مذهبك',
    'We serve everyone regardless of your sect',
    'نعمل مع البلدية على إنهاء المشروع في موعده',
    'الوزارة تنفي ما تم تداوله عن تقاعس البلدية',
  ])('clean: %j', (text) => expectClean(text));
});

describe('misuse of position', () => {
  test.each([
    ['زوروا محل أخي في المجمع، خصومات حتى 50%', 'relative'],
    ["Visit my brother's restaurant this weekend, 20% discount", 'relative'],
    ['ادعموا مشروع زوجتي الجديد في المعرض', 'relative'],
    ['تبرعوا لجمعية النور الخيرية عبر الرابط', 'private charity'],
    ['Please donate to our charity, link in bio', 'private charity'],
    ['بصفتي وزيراً أنصح بشركة الأمل للتأمين', 'in my capacity as'],
    ['بصفتي رئيس الجمعية أدعوكم لشراء منتجات شركة النخيل', 'in my capacity as'],
    ['بصفتي مديراً للإدارة أوصي بمطعم الديرة', 'in my capacity as'],
    ["In my capacity as director, I urge you to try Gulf Tech's new app", 'in my capacity as'],
    ['استخدم كود BET50 في موقع المراهنات', 'gambling promo code'],
  ])('%j (%s)', (text, _kind) => {
    const r = score(text);
    expect(r.findings.some((f) => f.category === 'misuse_of_position' || f.category === 'public_morals'), text).toBe(true);
  });

  test.each([
    'تبرعوا بالدم في بنك الدم المركزي، الرابط للحجز',
    'تبرعوا عبر المنصة الوطنية للتبرعات الرسمية',
    'احذروا من حملات التبرع الوهمية عبر الرابط',
    'زار الوزير محل الحرفيين في سوق المنامة',
    'Donate blood this Saturday, book via the link',
    'بصفتي وزيراً أوصي بالالتزام بالإجراءات الاحترازية',
    'In my capacity as minister I announce the new park',
    'As minister I urge you to get vaccinated',
  ])('clean: %j', (text) => expectClean(text));
});

describe('promotion, fundraising and electioneering families', () => {
  test.each([
    ['المحل الجديد لأخوي افتتح اليوم في عراد، خصم للمراجعين', 'relative (possessive)'],
    ['المطعم حق أخوي في البسيتين، جربوه', 'relative (possessive)'],
    ['منتج رائع من متجر الورد، جربوه #إعلان', 'ad hashtag with a product'],
    ['#sponsored Loving my new phone from Gulf Mobile', 'ad hashtag'],
    ['ساهموا في العلاج، الحساب البنكي باسمي', 'fundraising to a personal account'],
    ['صوتوا لـأحمد علي مرشح الدائرة الثالثة', 'a named candidate'],
    ['Vote for Ali Hasan, candidate of the fourth district', 'a named candidate'],
  ])('%j (%s)', (text) => expectFound(text, 'misuse_of_position'));

  test.each([
    '#إعلان | وظائف شاغرة في الوزارة، التقديم عبر الموقع',
    '#اعلان مواعيد العمل خلال شهر رمضان',
    'توفي والد الزميل، العزاء في منزل أخيه',
    'شاركوا في الانتخابات، صوتك حقك وواجب وطني',
    'Vote in the municipal elections: polling stations open at 8',
    'لا تنسوا زيارة دائرة الهجرة قبل السفر',
  ])('clean: %j', (text) => expectClean(text));
});

describe('families of the development corpus misses (issue 10)', () => {
  test.each<[string, Category]>([
    ['f*** off, nobody asked you', 'abuse'], // a swear word masked after its first letter
    ['this f***ing queue again', 'abuse'],
    ['your one-time code is 551902, valid for 5 minutes', 'infosec'],
    ['VPN creds for tonight: night_ops / Harbor771!', 'infosec'],
    ['كلمة المرور الجديدة للحساب المشترك للقسم هي Manama#2031، غيروها لاحقاً', 'infosec'],
    ['صورة شاشة من نظام الرواتب الداخلي توضح الخطأ', 'infosec'],
    ['في لجنة المناقصات: العرض الفائز هو عرض الشركة الثالثة، والإعلان الرسمي بعد شهر', 'confidentiality'],
    ['مسودة – غير قابلة للنشر: بيان بشأن نتائج التحقيق', 'confidentiality'],
    ['عندي نسخة من أسئلة امتحان الترقية، راسلوني', 'confidentiality'],
  ])('%j → %s', (text, category) => expectFound(text, category));

  test.each([
    'نماذج أسئلة اختبار الرياضيات متاحة على موقع الوزارة',
    'The value of his statement is that his credentials in the field are impeccable. He&#8217;s an expert',
    'شاهدوا صورة شاشة التطبيق الجديد للخدمات الإلكترونية',
  ])('clean: %j', (text) => expectClean(text));
});

describe('alcohol and gambling', () => {
  test.each([
    'best whisky deals this weekend',
    'Online casino bonus code WIN50',
    'سكرنا امس لين الفجر 🍺',
    'we got wasted after the office party',
    'Pop a pill before the meeting and you will fly through it',
    'Bet on the final: odds 5/2, who is in?',
    'المسابقة: اللي يتوقع النتيجة يربح، الدخول بـ5 دنانير',
  ])('%j is public morals', (text) => expectFound(text, 'public_morals'));

  test.each([
    'ضبط كمية من الحبوب المخدرة في المنفذ البحري',
    'سكرنا المحل بدري اليوم بسبب الصيانة',
    'مسابقة مجانية: اللي يتوقع النتيجة يربح تذكرتين',
  ])('clean: %j', (text) => expectClean(text));
});

describe('group insults about a religion or sect', () => {
  test.each([
    'هالطائفة ما تعرف إلا اللطم والبكاء',
    'That sect only knows how to cry and beat their chests',
    'عيدهم بدعة وضلال',
  ])('%j is beliefs', (text) => expectFound(text, 'beliefs'));

  test.each(['نهنئ الإخوة المسيحيين بعيدهم المجيد', 'احترام أعياد الآخرين من قيمنا', 'دينهم يحث على الرحمة'])('clean: %j', (text) =>
    expectClean(text),
  );
});

describe('phones in national formats and cards', () => {
  test.each([
    ['call me on 415-555-0132 anytime', '415-555-0132'],
    ['my number (02) 555-123', '(02) 555-123'],
    ['text my mobile 01632 960 983 after 5', '01632 960 983'],
    ['tel 0612 34 56 78', '0612 34 56 78'],
    ['my cell is 555 0134', '555 0134'],
    ['his phone: +44 20 7946 0958', '+44 20 7946 0958'],
    ['رقمي 0100 123 4567 للتواصل', '0100 123 4567'],
    ['جوال أخوي ٠١٠٠١٢٣٤٥٦٧', '٠١٠٠١٢٣٤٥٦٧'],
  ])('%j has a phone', (text, match) => expectFound(text, 'personal_data', match, 'employee'));

  test.each([
    ['whatsapp me 0400 123 456', '0400 123 456'], // reads as a UAE toll-free line too: not the Gulf rules' to judge
    ['You can reach him at 020 7946 0958 after six', '020 7946 0958'],
    ['Call Mr. Smith on 0161 496 0000', '0161 496 0000'],
  ])('%j has a phone, also on an official account', (text, match) => expectFound(text, 'personal_data', match, 'official'));

  test.each([
    'هاتف: 1712 3456',
    'للتواصل هاتف 1756 0000 أو واتساب الوزارة',
    'Tel: 1712 3456 (main reception)',
  ])('a Gulf landline stays the Gulf rules\' to judge: %j (official)', (text) => {
    const r = score(text, 'official');
    expect(r.findings.filter((f) => f.rule === 'personal_data.phone.national').map((f) => f.match), text).toEqual([]);
  });

  test.each([
    ['card 6759649826438453', '6759649826438453'], // Maestro, 16 digits
    ['JCB 3530111333300000', '3530111333300000'],
    ['my maestro card 501800000009', '501800000009'], // Maestro, 12 digits
    ['بطاقتي ٦٧٥٩ ٦٤٩٨ ٢٦٤٣ ٨٤٥٣', '٦٧٥٩ ٦٤٩٨ ٢٦٤٣ ٨٤٥٣'],
  ])('%j has a card', (text, match) => expectFound(text, 'personal_data', match, 'employee'));

  test.each([
    'رقم الطلب 415-555-0132',
    'order number 0612 34 56 78, call us if it is late',
    'الخط الساخن 800 8001',
    'call 999 for emergencies',
    'reference 6759649826438453',
    'Call the embassy on 020 7946 0958',
    'Call before 2026-12-02 to book',
    'Budget: 1 250 000 dinars, call for details',
    'phone lines are open 2024 2025',
    'call centre 0612 34 56 78',
    'tracking number 501800000009 for your card delivery',
    'The device calls 192.168.11.59 every hour',
  ])('clean: %j', (text) => {
    const r = score(text, 'employee');
    expect(r.findings.filter((f) => f.category === 'personal_data').map((f) => `${f.rule} «${f.match}»`), text).toEqual([]);
  });
});

describe('religion named without hate stays clean', () => {
  test.each([
    'عيد مبارك وكل عام وأنتم بخير',
    'عيد فطر سعيد لجميع المسلمين',
    'افتتاح مسجد الرحمن في المحرق بحضور الوزير',
    'الذكرى المئوية لكنيسة القلب المقدس في المنامة',
    'تهنئة للطائفة المسيحية بمناسبة عيد الميلاد',
    'Merry Christmas to our Christian community',
    'Diwali greetings to the Hindu community in Bahrain',
    'The ministry welcomes the opening of the new synagogue museum',
    'Eid Mubarak from all of us at the ministry',
    'زيارة وفد من الأزهر الشريف ولقاء مع علماء الشيعة والسنة لتعزيز الوحدة',
    'مأتم الحسين يستقبل المعزين في ذكرى عاشوراء',
    'محاضرة: المشركون في مكة قبل الإسلام وموقفهم من الدعوة', // history, not a group insult
    'كفار قريش حاربوا المسلمين في غزوة بدر',
    'لكم دينكم ولي دين',
    'Shia Muslims mark Ashura with processions',
    'Muslims and Christians broke the fast together',
  ])('%j', (text) => expectClean(text));

  test('a group insult is still found', () => {
    expectFound('الشيعة مشركين', 'beliefs');
  });
});

describe('language tags', () => {
  test('mixed Arabic and English text is read by both lexicons', () => {
    const r = score('يا حمار you are an idiot');
    const rules = r.findings.map((f) => f.rule);
    expect(rules.some((x) => x.endsWith('.ar'))).toBe(true);
    expect(rules.some((x) => x.endsWith('.en'))).toBe(true);
  });
});
