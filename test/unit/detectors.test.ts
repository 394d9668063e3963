import { describe, expect, test } from 'vitest';
import { checkPhone, checkPhoneAnyCountry, luhn, otherNumberShape, phoneShape, plausibleCpr, validCard, validEmiratiId, validIban, validMaestro12, validSaudiId } from '../../jobs/scoring/detectors.ts';
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

describe('phones of any country and 12-digit Maestro (issue 10)', () => {
  test.each([
    ['+44 20 7946 0958', true], // UK, international form
    ['+1 415 555 2671', true],
    ['01001234567', true], // Egypt, national form
    ['0612345678', true], // France, national form
    ['0100 123 4567', true],
    ['12345', false],
    ['+999 1234 5678', false], // no such country code
  ])('checkPhoneAnyCountry(%j).valid = %s', (raw, valid) => {
    expect(checkPhoneAnyCountry(raw).valid).toBe(valid);
  });

  test.each([
    ['415-555-0132', true], // NNN-NNN-NNNN
    ['(02) 555-123', true], // (NN) NNN-NNN
    ['01632 960 983', true], // 0NNNN NNN NNN
    ['0612 34 56 78', true], // 0NNN NN NN NN
    ['555 0134', true], // NNN NNNN
    ['0123456789', true], // one run starting with 0
    ['1234567890', false], // one run without a trunk 0: an order or reference number
    ['2026-12-02', false], // dates
    ['02.12.2026', false],
    ['1 250 000', false], // an amount in thousands
    ['192.168.11.59', false], // an address
    ['2020 2030', false], // years
    ['5 55 01 34', false], // single digits in groups
    ['777 7777', false], // one digit repeated
    ['123 456', false], // too few digits
  ])('phoneShape(%j) = %s', (raw, ok) => {
    expect(phoneShape(raw)).toBe(ok);
  });

  test.each([
    ['2026-12-02', true],
    ['10.0.0.1', true],
    ['1 250 000', true],
    ['415-555-0132', false],
  ])('otherNumberShape(%j) = %s', (raw, other) => {
    expect(otherNumberShape(raw)).toBe(other);
  });

  test.each([
    ['501800000009', true], // Maestro 50…, Luhn
    ['675964982643', false], // Maestro prefix, Luhn fails
    ['411111111111', false], // Visa prefix: not a 12-digit card
    ['5018000000090', false], // 13 digits: validCard's
  ])('validMaestro12(%j) = %s', (d, ok) => {
    expect(validMaestro12(d)).toBe(ok);
  });

  test('JCB and 16-digit Maestro pass the card check', () => {
    expect(validCard('3530111333300000')).toBe(true);
    expect(validCard('6759649826438453')).toBe(true);
  });
});
