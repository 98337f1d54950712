/**
 * The English of the reasons and summaries: counts with their plurals, users as a sentence names
 * them, lists, the bug window's end. Wording only; nothing here decides anything.
 * @module
 */
import { BUG_WINDOW } from '../platform/timeline.ts';
import { IMPLICIT_USER } from '../types.ts';

/** `n word` with the plural when n is not 1 ("1 tenant", "2 tenants"). */
export function count(n: number, word: string, words = `${word}s`): string {
  return `${n} ${n === 1 ? word : words}`;
}

/** A user as a sentence names one: the implicit user reads as one. */
export function who(user: string): string {
  return user === IMPLICIT_USER ? 'the implicit user' : user;
}

/** A user's possessive ("bob's", "the implicit user's"). */
export function whose(user: string): string {
  return `${who(user)}'s`;
}

/** Names joined as a sentence lists them ("x", "x and y", "x, y and z"). */
export function list(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The end of the window the February 2020 bug refused connections in, as people read it. */
export function bugWindowEnd(): string {
  const end = BUG_WINDOW.end;
  return `${end.slice(0, 10)} ${end.slice(11, 16)} NZDT`;
}
