// Turns raw records into validated examples. Every problem (unparseable row, missing or
// non-string field, empty dialogue or summary, duplicate id) either stops the run with the
// file, line/row and field named (`onInvalid: "error"`, the default) or is skipped and
// listed, never silently dropped.
import type { Example, FieldNames, InvalidPolicy, RawRecord, SkipRecord } from './types.js';
import { DataPrepError, type ErrorPlace } from './errors.js';

export interface Validated { examples: Example[]; skipped: SkipRecord[] }

export function validateRecords(raw: readonly RawRecord[], fields: FieldNames, policy: InvalidPolicy, split: string, seenIds = new Map<string, ErrorPlace>()): Validated {
  const examples: Example[] = [];
  const skipped: SkipRecord[] = [];
  const reject = (place: ErrorPlace, reason: string, field?: string, id?: string) => {
    const p = { ...place, field, id };
    if (policy === 'error') throw new DataPrepError(reason, p);
    skipped.push(clean({ split, file: p.file, line: p.line, column: p.column, row: p.row, id, field, reason }));
  };
  for (const r of raw) {
    const rawId = r.values?.[fields.id];
    const id = typeof rawId === 'string' ? rawId : typeof rawId === 'number' ? String(rawId) : undefined;
    if (r.problem || !r.values) { reject(r.place, r.problem?.reason ?? 'unreadable record', r.problem?.field, id); continue; }
    let bad = false;
    for (const [role, name] of [['id', fields.id], ['dialogue', fields.dialogue], ['summary', fields.summary]] as const) {
      const v = r.values[name];
      // Numeric ids are common in CSV-converted corpora; they are kept as their decimal string.
      if (role === 'id' && typeof v === 'number' && Number.isFinite(v)) continue;
      if (v === undefined || v === null) { reject(r.place, `missing field (${role})`, name, id); bad = true; break; }
      if (typeof v !== 'string') { reject(r.place, `${role} is ${kindOf(v)}, expected a string${role === 'id' ? ' or a number' : ''}`, name, id); bad = true; break; }
      if (v.trim() === '') { reject(r.place, `empty ${role}`, name, id); bad = true; break; }
    }
    if (bad) continue;
    const prev = seenIds.get(id!);
    if (prev) { reject(r.place, `duplicate id (first seen at ${prev.file ?? ''}${prev.line !== undefined ? `:${prev.line}` : prev.row !== undefined ? ` row ${prev.row}` : ''})`, fields.id, id); continue; }
    seenIds.set(id!, r.place);
    examples.push({ id: id!, dialogue: r.values[fields.dialogue] as string, summary: r.values[fields.summary] as string });
  }
  return { examples, skipped };
}

/** `a number (7)`, `an array`, `a boolean (true)`: what a value is, for type errors. */
function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v) ?? String(v);
  return `a ${typeof v} (${s.length > 20 ? `${s.slice(0, 17)}...` : s})`;
}

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
