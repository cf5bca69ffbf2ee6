// One error type for everything data-prep rejects, carrying where it happened (file, line or
// row, field) so a message always says which input to fix.
export interface ErrorPlace {
  file?: string;
  /** 1-based line in a text file (JSON, JSONL, CSV). */
  line?: number;
  /** 0-based record index within the file (Arrow, Parquet, JSON arrays). */
  row?: number;
  field?: string;
  id?: string;
}

export class DataPrepError extends Error {
  readonly place: ErrorPlace;
  constructor(reason: string, place: ErrorPlace = {}) {
    super(describe(place) + reason);
    this.name = 'DataPrepError';
    this.place = place;
  }
}

/** `file:line: ` / `file row 3 (id "x") field "summary": ` prefix for messages. */
export function describe(p: ErrorPlace): string {
  const parts: string[] = [];
  if (p.file) parts.push(p.line !== undefined ? `${p.file}:${p.line}` : p.file);
  if (p.row !== undefined && p.line === undefined) parts.push(`row ${p.row}`);
  if (p.id !== undefined) parts.push(`(id ${JSON.stringify(p.id)})`);
  if (p.field) parts.push(`field "${p.field}"`);
  return parts.length ? `${parts.join(' ')}: ` : '';
}
