// RFC 4180 CSV: a header row, comma-separated fields, fields optionally in double quotes with
// `""` for a quote; quoted fields may hold commas and line breaks (kept byte for byte, so a
// dialogue's `\r\n` survives). Records end in CRLF or LF. A stray quote inside an unquoted
// field or an unterminated quote is an error with its line; a record with the wrong number of
// fields is a row problem.
import type { RawRecord } from '../types.js';
import { DataPrepError, emptyFileError } from '../errors.js';
import { checkColumnNames } from './columns.js';

interface CsvRecord { fields: string[]; line: number }

export function parseCsvRecords(text: string, file: string): CsvRecord[] {
  const s = text.replace(/^\uFEFF/, '');
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let atFieldStart = true;
  const endField = () => { fields.push(field); field = ''; atFieldStart = true; };
  const endRecord = () => { endField(); records.push({ fields, line: recordLine }); fields = []; };
  while (i < s.length) {
    const c = s[i]!;
    if (atFieldStart && c === '"') {
      // Quoted field: read to the closing quote.
      const startLine = line;
      i++;
      for (;;) {
        if (i >= s.length) throw new DataPrepError('unterminated quoted field', { file, line: startLine });
        const d = s[i]!;
        if (d === '"') {
          if (s[i + 1] === '"') { field += '"'; i += 2; continue; }
          i++;
          break;
        }
        if (d === '\n') line++;
        field += d;
        i++;
      }
      const next = s[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new DataPrepError(`unexpected character ${JSON.stringify(next)} after a closing quote`, { file, line });
      }
      atFieldStart = false;
      continue;
    }
    atFieldStart = false;
    if (c === ',') { endField(); i++; continue; }
    if (c === '\r' && s[i + 1] === '\n') { endRecord(); i += 2; line++; recordLine = line; continue; }
    if (c === '\n') { endRecord(); i++; line++; recordLine = line; continue; }
    if (c === '"') throw new DataPrepError('a quote inside an unquoted field (quote the whole field and double the quote)', { file, line });
    field += c;
    i++;
  }
  if (field !== '' || fields.length > 0 || !atFieldStart) endRecord();
  return records;
}

export function parseCsv(text: string, file: string, columns: readonly string[] = []): RawRecord[] {
  if (text.replace(/^\uFEFF/, '').trim() === '') throw emptyFileError(file, text.length, 'CSV with a header row (e.g. id,dialogue,summary) and one record per row');
  const records = parseCsvRecords(text, file);
  const header = records[0]!.fields;
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) throw new DataPrepError(`duplicate column "${h}" in the header`, { file, line: 1 });
    seen.add(h);
  }
  checkColumnNames(file, columns, header, 'the CSV header (line 1) has no column');
  const out: RawRecord[] = [];
  for (let r = 1; r < records.length; r++) {
    const { fields, line } = records[r]!;
    const place = { file, line, row: r - 1 };
    if (fields.length === 1 && fields[0] === '') continue; // a blank line
    const values: Record<string, unknown> = {};
    header.forEach((h, k) => { if (k < fields.length) values[h] = fields[k]; });
    // A misshapen record keeps its values only so the skip record can name its id.
    if (fields.length !== header.length) out.push({ place, values, problem: fieldCountProblem(fields, header, columns) });
    else out.push({ place, values });
  }
  return out;
}

/** A record with too few fields names the first missing column (a configured one first). */
function fieldCountProblem(fields: string[], header: string[], columns: readonly string[]): { reason: string; field?: string } {
  const counts = `record has ${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${header.length}`;
  if (fields.length < header.length) {
    const missing = header.slice(fields.length);
    const field = missing.find((h) => columns.includes(h)) ?? missing[0]!;
    return { reason: `${counts}: no value for ${missing.map((h) => `"${h}" (column ${header.indexOf(h) + 1})`).join(', ')}`, field };
  }
  const extra = fields[header.length]!;
  return { reason: `${counts}: an extra value ${JSON.stringify(extra.length > 40 ? `${extra.slice(0, 37)}...` : extra)} after column "${header[header.length - 1]}" (an unquoted comma? quote fields that hold commas)` };
}
