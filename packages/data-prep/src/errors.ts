// One error type for everything data-prep rejects, carrying where it happened (file, line or
// row, field) so a message always says which input to fix.
import type { SkipRecord } from './types.js';

export interface ErrorPlace {
  file?: string;
  /** 1-based line in a text file (JSON, JSONL, CSV). */
  line?: number;
  /** 1-based column (characters) within `line`, for syntax errors. */
  column?: number;
  /** 0-based record index within the file (Arrow, Parquet, JSON arrays, JSONL, CSV). */
  row?: number;
  field?: string;
  id?: string;
}

export class DataPrepError extends Error {
  readonly place: ErrorPlace;
  /** The message without the list of skipped rows `withSkipped` appends. */
  readonly reason: string;
  /** Rows left out under `onInvalid: "skip"` before this error stopped the run. */
  skipped: SkipRecord[] = [];
  constructor(reason: string, place: ErrorPlace = {}) {
    super(describe(place) + reason);
    this.name = 'DataPrepError';
    this.place = place;
    this.reason = describe(place) + reason;
  }
}

/** `file:line:column (row 2)` / `file row 3 (id "x") field "summary": ` prefix for messages. */
export function describe(p: ErrorPlace): string {
  const parts: string[] = [];
  if (p.file) parts.push(p.line !== undefined ? `${p.file}:${p.line}${p.column !== undefined ? `:${p.column}` : ''}` : p.file);
  if (p.row !== undefined) parts.push(p.line === undefined ? `row ${p.row}` : `(row ${p.row})`);
  if (p.id !== undefined) parts.push(`(id ${JSON.stringify(p.id)})`);
  if (p.field) parts.push(`field "${p.field}"`);
  return parts.length ? `${parts.join(' ')}: ` : '';
}

/** How many skipped rows an error message lists before "and N more". */
export const SKIPS_LISTED = 5;

/** One skipped row as a line of text: `file:3 (row 2) (id "x") field "summary": reason`. */
export function describeSkip(s: SkipRecord): string {
  return `${describe({ file: s.file, line: s.line, row: s.row, id: s.id, field: s.field })}${s.reason}`;
}

/**
 * The error `e` with the rows skipped so far attached (`skipped`) and the first few listed in
 * its message, so a run that fails after skipping rows still says what it skipped.
 */
export function withSkipped(e: unknown, skipped: readonly SkipRecord[]): unknown {
  if (skipped.length === 0) return e;
  const base = e instanceof DataPrepError ? e : undefined;
  const all = [...skipped];
  for (const s of base?.skipped ?? []) if (!all.includes(s)) all.push(s);
  const reason = base ? base.reason : e instanceof Error ? e.message : String(e);
  const listed = all.slice(0, SKIPS_LISTED).map((s) => `\n  ${describeSkip(s)}`).join('');
  const more = all.length > SKIPS_LISTED ? `\n  … and ${all.length - SKIPS_LISTED} more` : '';
  const out = new DataPrepError(`${reason}\nBefore this error, ${all.length} row(s) were skipped (onInvalid "skip"):${listed}${more}`);
  Object.defineProperty(out, 'place', { value: base?.place ?? {} });
  Object.defineProperty(out, 'reason', { value: reason });
  out.skipped = all;
  if (e instanceof Error) out.cause = e;
  return out;
}

/** ` (did you mean "x"?)` for the known name closest to `name`, or '' when none is close. */
export function didYouMean(name: string, known: readonly string[]): string {
  let best: string | undefined, bestD = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) { bestD = d; best = k; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The error for a file with no content: says it is empty and what it should have held. */
export function emptyFileError(file: string, bytes: number, expected: string): DataPrepError {
  return new DataPrepError(`empty file (${bytes === 0 ? '0 bytes' : 'only whitespace'}); expected ${expected}`, { file });
}
