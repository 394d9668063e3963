// The review queue's keys: j/k/c/d/x by letter or by physical key (an Arabic layout), never while typing.
import { describe, expect, test } from 'vitest';
import { queueKey } from '../../web/src/lib/review.ts';

const key = (k: string, code = '', mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey', boolean>> = {}) => ({ key: k, code, ctrlKey: false, metaKey: false, altKey: false, ...mods });
const field = (tagName: string) => ({ tagName, isContentEditable: false });

describe(queueKey.name, () => {
  test.each([
    ['j', 'KeyJ', 'next'],
    ['k', 'KeyK', 'previous'],
    ['c', 'KeyC', 'confirm'],
    ['D', 'KeyD', 'dismiss'],
    ['x', 'KeyX', 'select'],
    // Arabic layout: the letter differs, the physical key is the same
    ['ت', 'KeyJ', 'next'],
    ['ي', 'KeyD', 'dismiss'],
    ['q', 'KeyQ', null],
    ['Enter', 'Enter', null],
  ])('%s (%s) is %s', (k, code, expected) => {
    expect(queueKey(key(k, code), null)).toBe(expected);
  });

  test('no key while typing in a field or with a modifier', () => {
    expect(queueKey(key('c', 'KeyC'), field('INPUT'))).toBeNull();
    expect(queueKey(key('c', 'KeyC'), field('TEXTAREA'))).toBeNull();
    expect(queueKey(key('c', 'KeyC'), field('SELECT'))).toBeNull();
    expect(queueKey(key('c', 'KeyC', { ctrlKey: true }), null)).toBeNull();
    expect(queueKey(key('c', 'KeyC'), field('LI'))).toBe('confirm');
  });
});
