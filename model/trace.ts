/**
 * Reading trace files: JSON Lines, one event per line (DESIGN.md, "Trace file"), streamed. Every
 * problem is an `InputError` naming the file, the 1-based line (blank lines included) and the
 * field; the parsing of one line is in `trace-parse.ts`.
 * A scenario file may start with one `{"type":"scenario", "title", "story", "source"}` line.
 * @module
 */
import { createReadStream } from 'node:fs';
import { InputError } from './errors.ts';
import { parseTraceLine } from './trace-parse.ts';
import type { TraceEvent } from './types.ts';

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

/**
 * The lines of a file, a chunk at a time, with the number of the chunk's first line. Reading
 * whole chunks keeps the per-line cost to the split; the callers yield line by line.
 */
async function* chunksOf(file: string): AsyncGenerator<string[]> {
  try {
    const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
    let rest = '';
    for await (const chunk of stream as AsyncIterable<string>) {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      yield parts;
    }
    if (rest !== '') yield [rest];
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') throw new InputError(`cannot read the trace (${code})`, { file });
    throw error;
  }
}

/** The lines of a file, streamed, with 1-based numbers (blank lines included). */
export async function* readLines(file: string): AsyncGenerator<{ text: string; line: number }> {
  let line = 0;
  for await (const parts of chunksOf(file)) for (const part of parts) yield { text: part, line: ++line };
}

/** A chunk of a trace file's lines; `first` is the number of the first. */
export interface TraceChunk {
  file: string;
  first: number;
  lines: readonly string[];
}

/** Parse a chunk's lines one by one, handing each event to `visit` before parsing the next. */
export function forEachEvent(chunk: TraceChunk, visit: (line: TraceLine) => void): void {
  for (let i = 0; i < chunk.lines.length; i++) {
    const line = chunk.first + i;
    const event = parseTraceLine(chunk.lines[i] as string, chunk.file, line);
    if (event !== null) visit({ line, event });
  }
}

async function* traceChunksOf(file: string): AsyncGenerator<TraceChunk> {
  let first = 1;
  for await (const lines of chunksOf(file)) {
    yield { file, first, lines };
    first += lines.length;
  }
}

/**
 * Where a stream from `readTrace` offers its lines a chunk at a time, while it has not been
 * read: a consumer of millions of events (`check`) skips one asynchronous step per event.
 */
export const TRACE_CHUNKS: unique symbol = Symbol('trace chunks');

/** The chunked form of a `readTrace` stream not yet read, or null. */
export function traceChunks(lines: unknown): AsyncIterable<TraceChunk> | null {
  const take = (lines as { [TRACE_CHUNKS]?: () => AsyncIterable<TraceChunk> | null } | null)?.[TRACE_CHUNKS];
  return typeof take === 'function' ? take() : null;
}

/** The events of a trace file, streamed. */
export function readTrace(file: string): AsyncGenerator<TraceLine> {
  let started = false;
  const events = (async function* events(): AsyncGenerator<TraceLine> {
    started = true;
    let line = 0;
    for await (const parts of chunksOf(file)) {
      for (const source of parts) {
        const event = parseTraceLine(source, file, ++line);
        if (event !== null) yield { line, event };
      }
    }
  })();
  // Taking the chunks closes the event stream first (it has not started, so nothing is read).
  const chunks = () => {
    if (started) return null;
    started = true;
    void events.return(undefined);
    return traceChunksOf(file);
  };
  return Object.assign(events, { [TRACE_CHUNKS]: chunks });
}

/** The scenario header of a trace's text, if its first non-blank line is one. */
export function scenarioHeader(content: string): ScenarioHeader | null {
  const first = content.split('\n').find((l) => l.trim() !== '');
  if (first === undefined) return null;
  try {
    const raw = JSON.parse(first) as Record<string, unknown>;
    if (raw['type'] !== 'scenario') return null;
    const header: ScenarioHeader = { title: String(raw['title'] ?? ''), story: String(raw['story'] ?? ''), source: String(raw['source'] ?? '') };
    if (typeof raw['policy'] === 'string') header.policy = raw['policy'];
    if (Array.isArray(raw['set'])) header.set = raw['set'].map(String);
    return header;
  } catch {
    return null;
  }
}
