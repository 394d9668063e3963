// What the review pages offer: reasons by decision, response kinds, and the queue's keyboard keys.
import type { ResponseKind } from '../../../server/api-types.ts';

/** Reasons offered for each decision (the server takes any short reason; these are the usual ones). */
export const REVIEW_REASONS = {
  confirmed: ['breach', 'repeat-breach'],
  dismissed: ['false-positive', 'quoted-or-reported', 'context', 'duplicate', 'other'],
} as const;

export type ReviewReason = (typeof REVIEW_REASONS)['confirmed' | 'dismissed'][number];

export const RESPONSE_KINDS: ResponseKind[] = ['explanation', 'correction', 'post-removed'];

export type QueueKey = 'next' | 'previous' | 'confirm' | 'dismiss' | 'select';

/** The parts of a KeyboardEvent read here (no DOM types: the module is also checked by the server's tsconfig). */
export interface KeyPress {
  key: string;
  code: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/**
 * The queue's keys (j/k move, c confirm, d dismiss, x select); none while typing in a field or with a modifier.
 * The physical key counts too, so the keys work with an Arabic keyboard layout.
 */
export function queueKey(event: KeyPress, target: unknown): QueueKey | null {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const el = target as { tagName?: string; isContentEditable?: boolean } | null;
  if (el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName ?? ''))) return null;
  const keys: Record<string, QueueKey> = { j: 'next', k: 'previous', c: 'confirm', d: 'dismiss', x: 'select' };
  return keys[event.key.toLowerCase()] ?? keys[/^Key([A-Z])$/.exec(event.code)?.[1].toLowerCase() ?? ''] ?? null;
}
