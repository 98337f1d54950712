/**
 * Reading trace files: JSON Lines, one event per line (README, "The trace format"), streamed. Every
 * problem is an `InputError` naming the file, the 1-based line (blank lines included) and the
 * field; the parsing of one line is in `trace-parse.ts`.
 * A scenario file may start with one `{"type":"scenario", "title", "story", "source"}` line.
 * @module
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { InputError, quote } from '../errors.ts';
import { firstInvalidUtf8, utf8SequenceAt } from './json-text.ts';
import { checkSets } from './load-policy.ts';
import { instantOf } from './instant.ts';
import { parseTraceLine } from './trace-parse.ts';
import type { TraceEvent } from '../types.ts';

export { parseTraceLine } from './trace-parse.ts';

/** A parsed line: the event and where it came from. */
export interface TraceLine {
  line: number;
  event: TraceEvent;
}

/** The header of a scenario file. */
export interface ScenarioHeader {
  title: string;
  story: string;
  source: string;
  /** The policy to replay under (default: the timeline `xero`). */
  policy?: string;
  /** `key=value` overrides for the replay. */
  set?: string[];
}

/** Consecutive lines of a file; `unterminated` when the last of them ends the file without a newline. */
export type LineChunk = string[] & { unterminated?: true };

/** The longest line a trace may have, in bytes (a longer one is an error naming it). */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;

/** The hint of an error on a last line without a newline that does not parse. */
const CUT_SHORT = 'the last line has no newline: was the file cut short?';

/**
 * The error for the first invalid UTF-8 byte of `bytes`, whose first line is line `first`;
 * `last` when `bytes` is the end of the file, the last line with no newline.
 */
function utf8Error(file: string, bytes: Buffer, first: number, fileOffset: number, last = false): InputError {
  const at = firstInvalidUtf8(bytes);
  let line = first;
  let lineStart = 0;
  for (let nl = bytes.indexOf(0x0a); nl !== -1 && nl < at; nl = bytes.indexOf(0x0a, nl + 1)) {
    line++;
    lineStart = nl + 1;
  }
  const value = bytes[at]?.toString(16).padStart(2, '0') ?? '';
  return new InputError(
    `invalid UTF-8: byte 0x${value} at byte ${at - lineStart + 1} of the line (byte ${fileOffset + at + 1} of the file)`,
    { file, line },
    last && utf8SequenceAt(bytes, at) === -1 ? CUT_SHORT : 'a trace is UTF-8 text',
  );
}

/**
 * The lines of a file a chunk at a time, in order (the last line of a chunk is complete). Reading
 * whole chunks keeps the per-line cost to the split; `checkFile` walks them without an
 * asynchronous step per line. The bytes are checked to be UTF-8 (a decoder would turn every bad
 * byte into U+FFFD, so two different names could become one), and no line may be longer than
 * `MAX_LINE_BYTES`.
 */
export async function* readLineChunks(file: string): AsyncGenerator<LineChunk> {
  let line = 1; // the number of the first line not yet yielded
  let offset = 0; // the file offset of `rest`
  let rest: Buffer = Buffer.alloc(0);
  const tooLong = () =>
    new InputError(`the line is longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB`, { file, line }, 'each event is one line of JSON');
  const complete = function* (bytes: Buffer): Generator<string[]> {
    if (!isUtf8(bytes)) throw utf8Error(file, bytes, line, offset);
    const parts = bytes.toString('utf8').split('\n');
    line += parts.length;
    offset += bytes.length + 1;
    yield parts;
  };
  try {
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const bytes = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
      const last = bytes.lastIndexOf(0x0a);
      if (last === -1) {
        rest = bytes;
        if (rest.length > MAX_LINE_BYTES) throw tooLong();
        continue;
      }
      // Only a line begun in an earlier chunk can be longer than a chunk.
      if (rest.length > 0 && bytes.indexOf(0x0a) > MAX_LINE_BYTES) throw tooLong();
      yield* complete(bytes.subarray(0, last));
      rest = Buffer.from(bytes.subarray(last + 1));
    }
  } catch (error) {
    // Any error of the file system (missing, a folder, a path through a file, a symlink loop, a
    // name too long, no permission) is the user's to fix: one line, exit 2.
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E')) throw new InputError(`cannot read the trace (${code})`, { file });
    throw error;
  }
  if (rest.length > 0) {
    if (!isUtf8(rest)) throw utf8Error(file, rest, line, offset, true);
    // The last line has no newline: if it does not parse, the file may have been cut short.
    yield Object.assign([rest.toString('utf8')], { unterminated: true as const });
  }
}

/** The lines of a file, streamed, with 1-based numbers (blank lines included). */
export async function* readLines(file: string): AsyncGenerator<{ text: string; line: number }> {
  let line = 0;
  for await (const parts of readLineChunks(file)) for (const part of parts) yield { text: part, line: ++line };
}

/**
 * The events of consecutive lines of a trace file, the first of them line `first` (1-based, blank
 * lines included), each parsed as it is asked for: a reader that takes each event before asking
 * for the next keeps none of them. Every reader of a trace parses its lines here.
 */
function* traceLinesOf(file: string, texts: LineChunk, order: TimeOrder, first = 1): Generator<TraceLine> {
  if (texts.unterminated === true) {
    try {
      yield* traceLinesOf(file, [...texts], order, first);
      return;
    } catch (error) {
      if (!(error instanceof InputError) || error.where.field !== undefined) throw error;
      throw new InputError(error.problem, error.where, CUT_SHORT);
    }
  }
  for (let i = 0; i < texts.length; i++) {
    // A byte-order mark some editors write at the start of a file is not part of the first line.
    const text = first + i === 1 && texts[i]?.charCodeAt(0) === 0xfeff ? (texts[i] as string).slice(1) : (texts[i] as string);
    const event = parseTraceLine(text, file, first + i);
    if (event === null) continue;
    if (event.at !== undefined) order.take(event.at, file, first + i);
    yield { line: first + i, event };
  }
}

/**
 * A trace is in time order: an `at` earlier than the latest one before it is an error naming both
 * lines (the model cannot run the platform's clock backwards, and a reordered log would be
 * judged under the wrong policies without a word).
 */
class TimeOrder {
  private latestMs = Number.NEGATIVE_INFINITY;
  private latestAt = '';
  private latestLine = 0;

  take(at: string, file: string, line: number): void {
    const ms = instantOf(at);
    if (ms < this.latestMs) {
      throw new InputError(
        `${JSON.stringify(at)} is earlier than ${JSON.stringify(this.latestAt)} on line ${this.latestLine}`,
        { file, line, field: 'at' },
        'a trace lists its events in time order',
      );
    }
    this.latestMs = ms;
    this.latestAt = at;
    this.latestLine = line;
  }
}

/** The events of a trace's whole text. */
export function traceLines(file: string, content: string): TraceLine[] {
  return [...traceLinesOf(file, content.split('\n'), new TimeOrder())];
}

/**
 * The events of a trace file, streamed a chunk of lines at a time (no asynchronous step per
 * event); each chunk parses its lines as they are taken, and can be walked once.
 */
export async function* readTraceChunks(file: string): AsyncGenerator<Iterable<TraceLine>> {
  let first = 1;
  const order = new TimeOrder();
  for await (const texts of readLineChunks(file)) {
    yield traceLinesOf(file, texts, order, first);
    first += texts.length;
  }
}

/**
 * The events of a trace file, streamed, each with its 1-based line (blank lines counted).
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { readTrace } from 'xero-connection-model';
 * const file = join(tmpdir(), 'two-events.jsonl');
 * writeFileSync(file, '{"type":"tenant","tenant":"demo","kind":"demo"}\n\n{"type":"connect","app":"a","tenant":"demo"}\n');
 * for await (const { line, event } of readTrace(file)) console.log(line, event.type);
 * // → 1 tenant
 * // → 3 connect
 * ```
 */
export async function* readTrace(file: string): AsyncGenerator<TraceLine> {
  for await (const lines of readTraceChunks(file)) yield* lines;
}

/**
 * The scenario header of a trace's text, if its first non-blank line is one. Its `policy` and
 * `set` are checked here (a `set` as `--set` would be), so a mistake in them is an `InputError`
 * naming `file` and the header's line, never a header silently ignored. `firstLine` is the line
 * number of the first line of `content` (when it is one line read from a longer file).
 */
export function scenarioHeader(content: string, file?: string, firstLine = 1): ScenarioHeader | null {
  const lines = content.split('\n');
  const index = lines.findIndex((l) => l.trim() !== '');
  if (index < 0) return null;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(lines[index] as string) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null || raw.type !== 'scenario') return null;
  const where = (field: string) => ({ ...(file === undefined ? {} : { file }), line: firstLine + index, field });
  // Display texts; quote() rather than String(), which walks a nested value without a bound.
  const textOf = (value: unknown) => (value === undefined || value === null ? '' : typeof value === 'string' ? value : quote(value));
  const header: ScenarioHeader = {
    title: textOf(raw.title),
    story: textOf(raw.story),
    source: textOf(raw.source),
  };
  if (raw.policy !== undefined) {
    if (typeof raw.policy !== 'string' || raw.policy === '')
      throw new InputError(`expected a policy id or file, got ${quote(raw.policy)}`, where('policy'));
    header.policy = raw.policy;
  }
  if (raw.set !== undefined) {
    if (!Array.isArray(raw.set) || !raw.set.every((s) => typeof s === 'string'))
      throw new InputError(`expected an array of "key=value" texts, got ${quote(raw.set)}`, where('set'), 'e.g. ["appCap=3"]');
    checkSets(raw.set, where('set'));
    header.set = raw.set;
  }
  return header;
}
