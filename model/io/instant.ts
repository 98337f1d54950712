/**
 * Instants of a trace: the `at` of an event as epoch milliseconds, and back as the ISO string a
 * connection records. Both sit on the path of every event, so both are quick.
 * @module
 */
import { quote } from '../errors.ts';

/** The last `at` read, and its instant: the driver asks for the same text right after the parser. */
let lastAt = '';
let lastAtMs = Number.NaN;
/** Whether `lastAt` is of the common form `commonInstant` reads (else Date.parse read it). */
let lastAtCommon = false;

/** The instant of an `at` text, in epoch milliseconds (NaN when it is not a date), as Date.parse. */
export function instantOf(at: string): number {
  if (at !== lastAt) {
    lastAt = at;
    const common = commonInstant(at);
    lastAtCommon = common !== undefined;
    lastAtMs = common ?? Date.parse(at);
  }
  return lastAtMs;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * Whether a text is of the common form (see `commonInstant`) on a day its month has: then it is
 * an instant as `instantProblem` takes it, without a regular expression or a Date. False says
 * nothing: the text goes the long way.
 */
function isCommonCalendarInstant(text: string): boolean {
  instantOf(text);
  if (!lastAtCommon) return false;
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (day <= 28) return true;
  if (month === 2) return day === 29 && isLeapYear(digitsAt(text, 0, 4));
  return day <= (month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
}

function digitsAt(s: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** Days from 1970-01-01 to the first of a month (H. Hinnant's `days_from_civil`). */
function daysToMonth(year: number, month: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5);
  return era * 146_097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719_468;
}

/**
 * The instant of the forms traces use, `YYYY-MM-DDTHH:mm:ss[.sss](Z|±HH:mm)`, computed directly
 * (Date.parse is slow); undefined for anything else, which goes to Date.parse. A day past the
 * month's end rolls over, as Date.parse does.
 */
function commonInstant(s: string): number | undefined {
  const n = s.length;
  if (n < 20 || s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':') return undefined;
  const year = digitsAt(s, 0, 4);
  const month = digitsAt(s, 5, 2);
  const day = digitsAt(s, 8, 2);
  const hours = digitsAt(s, 11, 2);
  const minutes = digitsAt(s, 14, 2);
  const seconds = digitsAt(s, 17, 2);
  let i = 19;
  let millis = 0;
  if (s[i] === '.') {
    millis = digitsAt(s, 20, 3);
    i = 23;
  }
  let offset = 0;
  if (s[i] === 'Z' && n === i + 1) offset = 0;
  else if ((s[i] === '+' || s[i] === '-') && n === i + 6 && s[i + 3] === ':') {
    const oh = digitsAt(s, i + 1, 2);
    const om = digitsAt(s, i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return undefined;
    offset = (s[i] === '-' ? -1 : 1) * (oh * 60 + om);
  } else return undefined;
  if (
    year < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hours < 0 ||
    hours > 23 ||
    minutes < 0 ||
    minutes > 59 ||
    seconds < 0 ||
    seconds > 59 ||
    millis < 0
  ) {
    return undefined;
  }
  return (daysToMonth(year, month) + day - 1) * DAY + hours * 3_600_000 + minutes * 60_000 + seconds * 1000 + millis - offset * 60_000;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);
const DAY = 86_400_000;
/** 9999-12-31T23:59:59.999Z: up to here an ISO string has a four-digit year. */
const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999;

/**
 * The ISO string of the instant of `text` (its `instantOf`), as `isoInstant` writes it. When
 * `text` is already in that form (`YYYY-MM-DDTHH:mm:ss.sssZ` on a day its month has), as most
 * traces write it, the answer is a copy of it, which costs less than writing the date anew: a
 * copy, since `text` may be a slice of the line it was read from, which a connection keeping it
 * would keep whole.
 */
export function isoOf(text: string): string {
  const ms = instantOf(text);
  if (text.length === 24 && text.charCodeAt(23) === 90 /* Z */ && text.charCodeAt(19) === 46 /* . */ && isCommonCalendarInstant(text))
    return JSON.parse(`"${text}"`) as string;
  return isoInstant(ms);
}

/**
 * `new Date(ms).toISOString()`, several times faster for the instants a trace holds (1970 to
 * 9999, whole milliseconds): the civil date from the day count (H. Hinnant's `civil_from_days`).
 * Anything else goes to `toISOString` itself, errors included.
 */
export function isoInstant(ms: number): string {
  if (!(ms >= 0 && ms <= LAST_FOUR_DIGIT_YEAR_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY);
  let rest = ms - days * DAY;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${pad3(rest - seconds * 1000)}Z`;
}

/**
 * Whether the calendar date and time written at the start of an ISO 8601 text exist (no February
 * 30, no month 13, no hour 24): `Date.parse` rolls such dates over into the next month silently.
 */
export function isCalendarInstant(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(text);
  if (m === null) return false;
  const [year, month, day, hours, minutes, seconds] = m.slice(1).map((part) => (part === undefined ? 0 : Number(part))) as number[];
  // Not Date.UTC: it reads the years 0 to 99 as 1900 to 1999.
  const date = new Date(0);
  date.setUTCFullYear(year ?? 0, (month ?? 1) - 1, day ?? 1);
  date.setUTCHours(hours ?? 0, minutes ?? 0, seconds ?? 0);
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === (month ?? 1) - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hours &&
    date.getUTCMinutes() === minutes &&
    date.getUTCSeconds() === seconds
  );
}

/** The last text `isTraceInstant` found an instant: consecutive events often share one. */
let lastGood: string | undefined;

/** Whether a text is an instant as a trace's `at` takes it (`instantProblem` finds nothing). */
export function isTraceInstant(text: string): boolean {
  if (text === lastGood) return true;
  if (instantProblem(text) !== null) return false;
  lastGood = text;
  return true;
}

/** An `at` as traces write it: ISO 8601 date and time with an offset (`Z` or `±HH:mm`). */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Why a text is not an instant as a trace's `at` (or `xcm status --at`) takes it, with a hint; null
 * when it is one: an ISO 8601 date and time with an offset, on a real calendar day and hour.
 */
export function instantProblem(text: string): { problem: string; hint: string } | null {
  if (isCommonCalendarInstant(text)) return null;
  if (!ISO_WITH_OFFSET.test(text) || Number.isNaN(instantOf(text)))
    return { problem: `not an ISO 8601 time with offset: ${quote(text)}`, hint: 'e.g. "2020-02-09T18:30:00+13:00"' };
  if (!isCalendarInstant(text))
    return { problem: `no such date or time: ${quote(text)}`, hint: 'months have their own number of days; hours run 00 to 23' };
  return null;
}
