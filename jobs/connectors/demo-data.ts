// Invented demo entities and accounts. Every name, handle, person and web address here is made
// up in the style of Gulf public bodies; none is a real ministry, authority, official or citizen
// (see docs/code-of-conduct.md, "Demo and test data"). Web addresses live under `demo.gov.bh`
// sub-domains that are invented for the demo.
import type { AccountType } from '../../db/vocabulary.ts';

export type DemoPlatform = 'x' | 'instagram' | 'facebook' | 'youtube';

export type DemoSector =
  | 'health'
  | 'education'
  | 'interior-services'
  | 'housing'
  | 'transport'
  | 'digital'
  | 'tourism'
  | 'labour'
  | 'environment'
  | 'municipal'
  | 'youth-sports'
  | 'finance';

export interface DemoAccount {
  platform: DemoPlatform;
  handle: string;
  displayName: string;
  type: AccountType;
  profileText: string;
  /** Posts per day on average (before time-of-day and season shaping). */
  activity: number;
  /** Audience size, used to make metrics plausible. */
  followers: number;
  /** ISO date from which the account stops posting (a dormant official account). */
  dormantSince?: string;
}

export interface DemoEntity {
  slug: string;
  nameAr: string;
  nameEn: string;
  website: string;
  timezone: 'Asia/Bahrain';
  sector: DemoSector;
  accounts: DemoAccount[];
}

const DISCLAIMER_AR = 'الآراء الواردة تعبر عن رأيي الشخصي';
const DISCLAIMER_EN = 'Views are my own';

export const DEMO_ENTITIES: DemoEntity[] = [
  {
    slug: 'community-health',
    nameAr: 'هيئة صحة المجتمع',
    nameEn: 'Community Health Authority',
    website: 'https://community-health.demo.gov.bh',
    timezone: 'Asia/Bahrain',
    sector: 'health',
    accounts: [
      {
        platform: 'x',
        handle: 'CommunityHealthBH',
        displayName: 'هيئة صحة المجتمع',
        type: 'official',
        profileText: 'الحساب الرسمي لهيئة صحة المجتمع | Official account of the Community Health Authority. للطوارئ 999',
        activity: 5,
        followers: 185_000,
      },
      {
        platform: 'instagram',
        handle: 'communityhealth.bh',
        displayName: 'Community Health Authority | هيئة صحة المجتمع',
        type: 'official',
        profileText: 'صحتك أولويتنا 🩺 Your health, our priority. Official Instagram account.',
        activity: 3,
        followers: 96_000,
      },
      {
        platform: 'x',
        handle: 'Dr_Huda_AlSaffar',
        displayName: 'د. هدى الصفار',
        type: 'executive',
        profileText: `الرئيس التنفيذي لهيئة صحة المجتمع. طبيبة أسرة. ${DISCLAIMER_AR}`,
        activity: 0.8,
        followers: 21_000,
      },
      {
        platform: 'x',
        handle: 'maryam_nurse_bh',
        displayName: 'مريم | Maryam',
        type: 'employee',
        profileText: `ممرضة في مركز صحي 👩‍⚕️ أم لثلاثة. ${DISCLAIMER_AR} / ${DISCLAIMER_EN}`,
        activity: 0.6,
        followers: 1_900,
      },
    ],
  },
  {
    slug: 'learning-skills',
    nameAr: 'وزارة التعلم والمهارات',
    nameEn: 'Ministry of Learning and Skills',
    website: 'https://learning-skills.demo.gov.bh',
    timezone: 'Asia/Bahrain',
    sector: 'education',
    accounts: [
      {
        platform: 'x',
        handle: 'LearningSkillsBH',
        displayName: 'وزارة التعلم والمهارات',
        type: 'official',
        profileText: 'الحساب الرسمي لوزارة التعلم والمهارات | Official account of the Ministry of Learning and Skills',
        activity: 4,
        followers: 240_000,
      },
      {
        platform: 'youtube',
        handle: 'LearningSkillsTV',
        displayName: 'Learning and Skills TV | قناة التعلم والمهارات',
        type: 'official',
        profileText: 'القناة الرسمية لوزارة التعلم والمهارات: دروس، فعاليات، وتغطيات. Official channel.',
        activity: 0.6,
        followers: 58_000,
      },
      {
        platform: 'instagram',
        handle: 'mr.yusuf.teaches',
        displayName: 'أ. يوسف | Mr. Yusuf',
        type: 'employee',
        profileText: 'معلم رياضيات 📐 Math teacher. Coffee, football and long division.',
        activity: 0.7,
        followers: 4_300,
      },
    ],
  },
  {
    slug: 'public-services',
    nameAr: 'وزارة الخدمات العامة',
    nameEn: 'Ministry of Public Services',
    website: 'https://public-services.demo.gov.bh',
    timezone: 'Asia/Bahrain',
    sector: 'interior-services',
    accounts: [
      {
        platform: 'x',
        handle: 'PublicServicesBH',
        displayName: 'وزارة الخدمات العامة',
        type: 'official',
        profileText: 'الحساب الرسمي لوزارة الخدمات العامة. للاستفسارات: 80008100 | Official account.',
        activity: 6,
        followers: 310_000,
      },
      {
        platform: 'facebook',
        handle: 'PublicServicesBahrain',
        displayName: 'Ministry of Public Services - وزارة الخدمات العامة',
        type: 'official',
        profileText: 'الصفحة الرسمية لوزارة الخدمات العامة. Official page.',
        activity: 3,
        followers: 120_000,
      },
      {
        platform: 'x',
        handle: 'Khalid_Almutawwa',
        displayName: 'خالد المطوع',
        type: 'executive',
        profileText: `وكيل وزارة الخدمات العامة لشؤون المتعاملين | Undersecretary for Customer Affairs. ${DISCLAIMER_EN}`,
        activity: 0.7,
        followers: 34_000,
      },
      {
        platform: 'x',
        handle: 'ali_h_77',
        displayName: 'علي | Ali',
        type: 'employee',
        profileText: 'موظف خدمة عملاء ☕ محرقاوي للعظم. Customer service, Muharraq.',
        activity: 0.8,
        followers: 760,
      },
    ],
  },
  {
    slug: 'housing-development',
    nameAr: 'هيئة تطوير الإسكان',
    nameEn: 'Housing Development Authority',
    website: 'https://housing-development.demo.gov.bh',
    timezone: 'Asia/Bahrain',
    sector: 'housing',
    accounts: [
      {
        platform: 'x',
        handle: 'HousingDevBH',
        displayName: 'هيئة تطوير الإسكان',
        type: 'official',
        profileText: 'الحساب الرسمي لهيئة تطوير الإسكان | Official account of the Housing Development Authority',
        activity: 4,
        followers: 150_000,
      },
      {
        platform: 'instagram',
        handle: 'housingdev.bh',
        displayName: 'هيئة تطوير الإسكان | HDA',
        type: 'official',
        profileText: 'مشاريع، مواعيد تسليم، وخدمات إسكانية 🏠 Projects and housing services.',
        activity: 2.5,
        followers: 64_000,
      },
      {
        platform: 'x',
        handle: 'fatima_hda',
        displayName: 'فاطمة',
        type: 'employee',
        profileText: `مهندسة مدنية. ${DISCLAIMER_AR}`,
        activity: 0.5,
        followers: 1_100,
      },
    ],
  },
  {
    slug: 'roads-mobility',
    nameAr: 'هيئة الطرق والتنقل',
    nameEn: 'Roads and Mobility Authority',
    website: 'https://roads-mobility.demo.gov.bh',
    timezone: 'Asia/Bahrain',
    sector: 'transport',
    accounts: [
      {
        platform: 'x',
        handle: 'RoadsMobilityBH',
        displayName: 'هيئة الطرق والتنقل',
        type: 'official',
        profileText: 'الحساب الرسمي لهيئة الطرق والتنقل: تحويلات مرورية، مشاريع الطرق، النقل العام.',
        activity: 5.5,
        followers: 205_000,
      },
      {
        platform: 'x',
        handle: 'Eng_Jassim_Buali',
        displayName: 'م. جاسم بوعلي',
        type: 'executive',
        profileText: 'مدير عام مشاريع الطرق | Director General, Road Projects. Engineer, runner.',
        activity: 0.6,
        followers: 12_500,
      },
    ],
  },
  {
    slug: 'digital-government',
    nameAr: 'هيئة الحكومة الرقمية',
    nameEn: 'Digital Government Authority',
    website: 'https://digital-government.demo.gov.bh',
    timezone: 'Asia/Bahrain',
    sector: 'digital',
    accounts: [
      {
        platform: 'x',
        handle: 'DigitalGovBH',
        displayName: 'هيئة الحكومة الرقمية',
        type: 'official',
        profileText: 'الحساب الرسمي لهيئة الحكومة الرقمية | Official account of the Digital Government Authority. الدعم: 80008300',
        activity: 5,
        followers: 175_000,
      },
      {
        platform: 'youtube',
        handle: 'DigitalGovTV',
        displayName: 'Digital Government Authority',
        type: 'official',
        profileText: 'شروحات الخدمات الإلكترونية | How-to videos for e-services.',
        activity: 0.4,
        followers: 22_000,
      },
      {
        platform: 'x',
        handle: 'sara_codes_bh',
        displayName: 'Sara 👩‍💻',
        type: 'employee',
        profileText: `Backend developer. Tea > coffee. ${DISCLAIMER_EN}.`,
        activity: 0.7,
        followers: 2_600,
      },
    ],
  },
  {
    slug: 'heritage-visitors',
    nameAr: 'هيئة التراث والزوار',
    nameEn: 'Heritage and Visitors Authority',
    website: 'https://heritage-visitors.demo.gov.bh',
    timezone: 'Asia/Bahrain',
    sector: 'tourism',
    accounts: [
      {
        platform: 'instagram',
        handle: 'heritagevisit.bh',
        displayName: 'Heritage & Visitors | التراث والزوار',
        type: 'official',
        profileText: 'اكتشف جزر البحرين 🌴 Discover the islands: festivals, heritage, events.',
        activity: 4,
        followers: 210_000,
      },
      {
        platform: 'x',
        handle: 'HeritageVisitBH',
        displayName: 'هيئة التراث والزوار',
        type: 'official',
        profileText: 'الحساب الرسمي لهيئة التراث والزوار | Official account.',
        activity: 3,
        followers: 88_000,
      },
      {
        platform: 'instagram',
        handle: 'noora.binrashid',
        displayName: 'Noora Bin Rashid | نورة بن راشد',
        type: 'executive',
        profileText: 'Director of Events 🎉 مديرة الفعاليات. Travel, food, family.',
        activity: 0.9,
        followers: 47_000,
      },
    ],
  },
  {
    slug: 'workforce-development',
    nameAr: 'هيئة تنمية القوى العاملة',
    nameEn: 'Workforce Development Authority',
    website: 'https://workforce-development.demo.gov.bh',
    timezone: 'Asia/Bahrain',
    sector: 'labour',
    accounts: [
      {
        platform: 'x',
        handle: 'WorkforceDevBH',
        displayName: 'هيئة تنمية القوى العاملة',
        type: 'official',
        profileText: 'الحساب الرسمي لهيئة تنمية القوى العاملة: التوظيف، التدريب، حماية الأجور.',
        activity: 4,
        followers: 132_000,
      },
      {
        platform: 'x',
        handle: 'Hamad_AlDoseri_',
        displayName: 'حمد الدوسري',
        type: 'executive',
        profileText: `الرئيس التنفيذي لهيئة تنمية القوى العاملة. ${DISCLAIMER_AR}`,
        activity: 0.4,
        followers: 18_000,
      },
    ],
  },
  {
    slug: 'coasts-environment',
    nameAr: 'مجلس السواحل والبيئة',
    nameEn: 'Coasts and Environment Council',
    website: 'https://coasts-environment.demo.gov.bh',
    timezone: 'Asia/Bahrain',
    sector: 'environment',
    accounts: [
      {
        platform: 'x',
        handle: 'CoastsEnvBH',
        displayName: 'مجلس السواحل والبيئة',
        type: 'official',
        profileText: 'الحساب الرسمي لمجلس السواحل والبيئة | Official account of the Coasts and Environment Council',
        activity: 3,
        followers: 54_000,
        dormantSince: '2026-09-12T00:00:00Z',
      },
      {
        platform: 'instagram',
        handle: 'coasts.env.bh',
        displayName: 'Coasts & Environment | السواحل والبيئة',
        type: 'official',
        profileText: 'بحرنا أمانة 🐢🌊 Our sea, our trust.',
        activity: 2.5,
        followers: 41_000,
      },
    ],
  },
  {
    slug: 'municipal-works',
    nameAr: 'مديرية الأعمال البلدية',
    nameEn: 'Directorate of Municipal Works',
    website: 'https://municipal-works.demo.gov.bh',
    timezone: 'Asia/Bahrain',
    sector: 'municipal',
    accounts: [
      {
        platform: 'x',
        handle: 'MunicipalWorksBH',
        displayName: 'مديرية الأعمال البلدية',
        type: 'official',
        profileText: 'الحساب الرسمي لمديرية الأعمال البلدية. البلاغات: 80008200',
        activity: 5,
        followers: 98_000,
      },
      {
        platform: 'facebook',
        handle: 'MunicipalWorksBahrain',
        displayName: 'Directorate of Municipal Works',
        type: 'official',
        profileText: 'الصفحة الرسمية لمديرية الأعمال البلدية | Official page.',
        activity: 2.5,
        followers: 45_000,
      },
      {
        platform: 'x',
        handle: 'abbas_inspects',
        displayName: 'عباس',
        type: 'employee',
        profileText: `مفتش بلدي. سترة ❤️ ${DISCLAIMER_AR}`,
        activity: 0.6,
        followers: 540,
      },
    ],
  },
  {
    slug: 'youth-horizons',
    nameAr: 'هيئة آفاق الشباب والرياضة',
    nameEn: 'Youth Horizons and Sports Authority',
    website: 'https://youth-horizons.demo.gov.bh',
    timezone: 'Asia/Bahrain',
    sector: 'youth-sports',
    accounts: [
      {
        platform: 'instagram',
        handle: 'youthhorizons.bh',
        displayName: 'آفاق الشباب | Youth Horizons',
        type: 'official',
        profileText: 'برامج، بطولات، تطوع ⚽🏐 Programs, tournaments, volunteering.',
        activity: 4,
        followers: 170_000,
      },
      {
        platform: 'x',
        handle: 'YouthHorizonsBH',
        displayName: 'هيئة آفاق الشباب والرياضة',
        type: 'official',
        profileText: 'الحساب الرسمي لهيئة آفاق الشباب والرياضة | Official account.',
        activity: 3.5,
        followers: 115_000,
      },
      {
        platform: 'instagram',
        handle: 'coach.reem.bh',
        displayName: 'Coach Reem | المدربة ريم',
        type: 'employee',
        profileText: `مدربة كرة طائرة 🏐 Volleyball coach. ${DISCLAIMER_EN}`,
        activity: 0.8,
        followers: 8_800,
      },
    ],
  },
  {
    slug: 'government-treasury',
    nameAr: 'مديرية الخزينة الحكومية',
    nameEn: 'Government Treasury Directorate',
    website: 'https://government-treasury.demo.gov.bh',
    timezone: 'Asia/Bahrain',
    sector: 'finance',
    accounts: [
      {
        platform: 'x',
        handle: 'TreasuryDirBH',
        displayName: 'مديرية الخزينة الحكومية',
        type: 'official',
        profileText: 'الحساب الرسمي لمديرية الخزينة الحكومية | Official account of the Government Treasury Directorate',
        activity: 2.5,
        followers: 61_000,
        dormantSince: '2026-08-24T00:00:00Z',
      },
      {
        platform: 'x',
        handle: 'Dr_Ebrahim_Alsairafi',
        displayName: 'د. إبراهيم الصيرفي',
        type: 'executive',
        profileText: `مدير عام الخزينة الحكومية. اقتصادي، قارئ، عداء هاوٍ. ${DISCLAIMER_AR}`,
        activity: 0.4,
        followers: 9_700,
      },
    ],
  },
];
