// A configured column that no record of a file has is a file-level error, whatever `onInvalid`
// says: it is a wrong column mapping (`fields` in the config) or the wrong file, not a few bad
// rows, and skipping would drop every row. The message lists the columns the file does have and
// the closest one.
import type { RawRecord } from '../types.js';
import { DataPrepError, didYouMean } from '../errors.js';

/**
 * Throw when `columns` names a column absent from the file (`available`: its column names);
 * `what` starts the message, e.g. `the CSV header has no column`.
 */
export function checkColumnNames(file: string, columns: readonly string[], available: readonly string[], what: string): void {
  for (const c of columns) {
    if (available.includes(c)) continue;
    const shownCols = available.length > 30 ? `${available.slice(0, 30).join(', ')}, …` : available.join(', ');
    throw new DataPrepError(
      `${what} "${c}"${didYouMean(c, available)}; columns: ${available.length ? shownCols : '(none)'}. ` +
      'Column names come from "fields" in the config (defaults: id, dialogue, summary)',
      { file, field: c },
    );
  }
}

/** For formats without a schema (JSON, JSONL): a column must appear in at least one record. */
export function checkColumnsPresent(records: readonly RawRecord[], columns: readonly string[], file: string): void {
  const keys = new Set<string>();
  for (const r of records) if (r.values) for (const k of Object.keys(r.values)) keys.add(k);
  if (keys.size === 0) return; // no readable record: reported per row
  checkColumnNames(file, columns, [...keys], 'no record has a column');
}
