import { describe, expect, test } from 'vitest';
import { checkPhone, luhn, plausibleCpr, validCard, validEmiratiId, validIban, validSaudiId } from '../../jobs/scoring/detectors.ts';
import { loadRulebook, scorePost } from '../../jobs/scoring/engine.ts';
import type { AccountType } from '../../jobs/scoring/types.ts';

// All numbers below are made up; where a check digit exists it was computed to be valid on purpose.
const rb = loadRulebook();
const rules = (text: string, accountType?: AccountType) => scorePost(rb, { text, accountType }).findings.map((f) => f.rule);

describe('validators', () => {
  test.each([
    ['4532015112830366', true],
    ['4532015112830367', false],
  ])('luhn %s → %s', (d, ok) => expect(luhn(d)).toBe(ok));

  test.each([
    ['1098765439', true], // Saudi citizen
    ['2123456788', true], // Iqama
    ['1098765438', false], // bad check digit
    ['3098765439', false], // wrong first digit
  ])('Saudi ID %s → %s', (d, ok) => expect(validSaudiId(d)).toBe(ok));

  test.each([
    ['784199012345676', true],
    ['784199012345675', false],
    ['785199012345676', false],
  ])('Emirati ID %s → %s', (d, ok) => expect(validEmiratiId(d)).toBe(ok));

  test.each([
    ['BH57NBOB00001234567890', true],
    ['BH57 NBOB 0000 1234 5678 90', true],
    ['SA0380000000608010167519', true],
    ['AE210260001015123456789', true],
    ['BH58NBOB00001234567890', false],
    ['BH57NBOB0000123456789', false],
  ])('IBAN %s → %s', (s, ok) => expect(validIban(s)).toBe(ok));

  test.each([
    ['4532015112830366', true],
    ['4532015112830367', false],
    ['0000000000000000', false],
    ['1234567812345670', false], // issuer prefix 1
  ])('card %s → %s', (d, ok) => expect(validCard(d)).toBe(ok));

  test.each([
    ['900512345', true],
    ['901312345', false], // month 13
    ['900012345', false], // month 00
    ['111111111', false],
  ])('CPR shape %s → %s', (d, ok) => expect(plausibleCpr(d)).toBe(ok));

  test.each([
    ['+973 3612 3456', 'BH'],
    ['0097336123456', 'BH'],
    ['36123456', 'BH'],
    ['+966 50 123 4567', 'SA'],
    ['0501234567', 'SA'],
    ['+971 50 123 4567', 'AE'],
    ['+965 9912 3456', 'KW'],
    ['+974 3312 3456', 'QA'],
    ['+968 9123 4567', 'OM'],
  ])('phone %s is valid in %s', (raw, region) => {
    const v = checkPhone(raw);
    expect(v.valid).toBe(true);
    expect(v.region).toBe(region);
  });

  test.each(['12345678', '+973 1234', '+1 202 555 0100'])('phone %s is not a GCC number', (raw) => {
    expect(checkPhone(raw).valid).toBe(false);
  });
});

describe('personal data detectors', () => {
  test.each<[string, string, AccountType | undefined]>([
    ['رقمي 36123456 للتواصل الخاص', 'personal_data.phone', 'employee'],
    ['رقم جوالي +973 3612 3456', 'personal_data.phone', 'employee'],
    ['اتصل على 00973-3612-3456', 'personal_data.phone', 'executive'],
    ['رقمه ٣٦١٢٣٤٥٦ لمن يعرفه', 'personal_data.phone', 'employee'],
    ['هذا رقم المواطن 39876543 الذي اشتكى', 'personal_data.phone.official', 'official'],
    ['Saudi contact +966 50 123 4567', 'personal_data.phone', 'employee'],
    ['IBAN: BH57 NBOB 0000 1234 5678 90', 'personal_data.iban', 'official'],
    ['card 4532 0151 1283 0366 exp 12/27', 'personal_data.card', 'official'],
    ['card 4532-0151-1283-0366', 'personal_data.card', 'official'],
    ['رقم الهوية 1098765439', 'personal_data.saudi_id', 'official'],
    ['Iqama 2123456788', 'personal_data.saudi_id', 'official'],
    ['الهوية الإماراتية 784-1990-1234567-6', 'personal_data.emirati_id', 'official'],
    ['الرقم الشخصي 900512345', 'personal_data.cpr', 'official'],
    ['CPR: 900512345', 'personal_data.cpr', 'official'],
    ['رقم الجواز A1234567', 'personal_data.passport', 'official'],
    ['passport no. AB1234567', 'personal_data.passport', 'official'],
    ['ahmed.ali88@gmail.com راسلوه', 'personal_data.email', 'official'],
    ['العنوان منزل 123 طريق 4512 مجمع 345', 'personal_data.address', 'employee'],
    ['he lives at House 1203, Road 4512, Block 345', 'personal_data.address', 'employee'],
  ])('%s → %s', (text, rule, account) => {
    expect(rules(text, account)).toContain(rule);
  });

  test.each<[string, AccountType | undefined]>([
    ['للاستفسار يرجى الاتصال بالخط الساخن 80008000', 'official'],
    ['مركز الاتصال 17123456 على مدار الساعة', 'official'],
    ['Call our hotline 80008000 toll-free', 'official'],
    ['للتواصل عبر الواتساب 33123456', 'official'],
    ['راسلونا على info@mops.gov.bh', 'official'],
    ['contact@health.gov.bh for enquiries', 'official'],
    ['IBAN: BH58 NBOB 0000 1234 5678 90', 'official'], // bad check digits
    ['card 4532 0151 1283 0367', 'official'], // fails Luhn
    ['رقم الهوية 1098765438', 'official'], // bad check digit
    ['784-1990-1234567-5', 'official'],
    ['أعمال صيانة على طريق 45 في مجمع 1203', 'official'],
    ['بلغت الميزانية 150000000 دينار', 'official'],
    ['جواز السفر صالح لمدة 6 أشهر', 'official'],
    ['نسبة الإنجاز 95% في 2024', 'official'],
    ['اتصل 999 للطوارئ', 'official'],
  ])('not personal data: %s', (text, account) => {
    expect(rules(text, account).filter((r) => r.startsWith('personal_data'))).toEqual([]);
  });
});

describe('secrets', () => {
  test.each<[string, string, AccountType | undefined]>([
    ['كلمة المرور: Admin@2024', 'infosec.password', 'official'],
    ['wifi password is Guest2024!', 'infosec.password', 'official'],
    ['رمز التحقق 482913', 'infosec.otp', 'official'],
    ['your OTP: 839201', 'infosec.otp', 'official'],
    ['AKIAIOSFODNN7EXAMPLE leaked', 'infosec.token', 'official'],
    ['token ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ', 'infosec.token', 'official'],
    ['xoxb-123456789012-abcdefghijkl', 'infosec.token', 'official'],
    ['AIzaSyA1234567890abcdefghijklmnopqrstuv', 'infosec.token', 'official'],
    ['bot 123456789:AAHfakeTokenForTests_abcdefghijkl12', 'infosec.telegram_token', 'official'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'infosec.token', 'official'],
    ['-----BEGIN RSA PRIVATE KEY----- MIIEow', 'infosec.token', 'official'],
    ['الخادم 192.168.1.20 متوقف', 'infosec.private_ip', 'official'],
    ['server 10.0.12.5 down', 'infosec.private_ip', 'official'],
    ['172.16.4.1 gateway', 'infosec.private_ip', 'official'],
    ['افتح hr.mops.local للتسجيل', 'infosec.internal_host', 'official'],
    ['see intranet.mops.gov.bh/forms', 'infosec.internal_host', 'official'],
    ['راسلني على ahmed.ali@mops.gov.bh', 'infosec.gov_email_personal_account', 'employee'],
    ['my work mail j.smith@health.gov.sa', 'infosec.gov_email_personal_account', 'executive'],
  ])('%s → %s', (text, rule, account) => {
    expect(rules(text, account)).toContain(rule);
  });

  test.each<[string, AccountType | undefined]>([
    ['لا تشارك كلمة المرور أو رمز التحقق مع أي شخص', 'official'],
    ['We will never ask for your password or OTP 123456', 'official'],
    ['رمز التحقق مكون من 6 أرقام', 'official'],
    ['يجب أن تحتوي كلمة المرور على 8 أحرف على الأقل', 'official'],
    ['الإصدار 10.2 من التطبيق', 'official'],
    ['IP 8.8.8.8 is public', 'official'],
    ['info@mops.gov.bh', 'official'], // gov mail on an official account is contact info
    ['to the local community', 'official'],
  ])('not a secret: %s', (text, account) => {
    expect(rules(text, account).filter((r) => r.startsWith('infosec'))).toEqual([]);
  });
});
