// Arrow IPC file helpers shared by every stage. Strings are written as plain Utf8 (not
// dictionaries: docs/design.md §3) and readers check column names and types, failing with the file
// and column named.
import { readFileSync, writeFileSync } from 'node:fs';
import {
  Table, tableFromIPC, tableToIPC, vectorFromArray, makeVector, Utf8, Int32, Float32, Float64, List, Field, Bool, Int64,
  DataType, type Vector,
} from 'apache-arrow';

export { Table };

export class ArrowSchemaError extends Error {}

/** Column kinds the project writes. */
export type ColumnKind = 'utf8' | 'int32' | 'float32' | 'float64' | 'bool' | 'list<int32>' | 'list<float32>' | 'int64';

export function kindOf(type: DataType): string {
  // Check by type id, not instanceof: deserialised tables carry generic Int/Float classes.
  const t = type as DataType & { precision?: number; bitWidth?: number; isSigned?: boolean };
  if (DataType.isList(type)) return `list<${kindOf(type.children[0]!.type)}>`;
  if (DataType.isUtf8(type)) return 'utf8';
  if (DataType.isBool(type)) return 'bool';
  if (DataType.isInt(type)) return `${t.isSigned ? 'int' : 'uint'}${t.bitWidth}`;
  if (DataType.isFloat(type)) return ['float16', 'float32', 'float64'][t.precision!] ?? String(type);
  return String(type);
}

function typeOf(kind: ColumnKind): DataType {
  switch (kind) {
    case 'utf8': return new Utf8();
    case 'int32': return new Int32();
    case 'int64': return new Int64();
    case 'float32': return new Float32();
    case 'float64': return new Float64();
    case 'bool': return new Bool();
    case 'list<int32>': return new List(new Field('item', new Int32(), true));
    case 'list<float32>': return new List(new Field('item', new Float32(), true));
  }
}

/** Build a vector of the given kind from JS values (arrays of numbers for list kinds). */
export function column(kind: ColumnKind, values: readonly unknown[]): Vector {
  if (kind === 'int32' && values instanceof Int32Array) return makeVector(values);
  if (kind === 'float32' && values instanceof Float32Array) return makeVector(values);
  if (kind === 'float64' && values instanceof Float64Array) return makeVector(values);
  return vectorFromArray(values as unknown[], typeOf(kind) as never) as Vector;
}

/** Make a table from named columns, all of one length. */
export function makeTable(columns: Record<string, { kind: ColumnKind; values: readonly unknown[] }>): Table {
  const vectors: Record<string, Vector> = {};
  let n: number | undefined;
  for (const [name, c] of Object.entries(columns)) {
    if (n !== undefined && c.values.length !== n) throw new ArrowSchemaError(`column ${name} has ${c.values.length} rows, expected ${n}`);
    n = c.values.length;
    vectors[name] = column(c.kind, c.values);
  }
  return new Table(vectors);
}

export function writeArrowFile(path: string, table: Table): void {
  writeFileSync(path, tableToIPC(table, 'file'));
}

/**
 * Read an Arrow IPC file and check that it has (at least) the expected columns with the
 * expected kinds.
 */
export function readArrowFile(path: string, expected?: Record<string, ColumnKind>): Table {
  let table: Table;
  try {
    table = tableFromIPC(readFileSync(path));
  } catch (e) {
    throw new ArrowSchemaError(`${path}: not a readable Arrow IPC file (${(e as Error).message})`);
  }
  if (expected) {
    for (const [name, kind] of Object.entries(expected)) {
      const field = table.schema.fields.find((f) => f.name === name);
      if (!field) throw new ArrowSchemaError(`${path}: missing column "${name}" (expected ${kind}); has ${table.schema.fields.map((f) => f.name).join(', ')}`);
      const got = kindOf(field.type);
      if (got !== kind) throw new ArrowSchemaError(`${path}: column "${name}" is ${got}, expected ${kind}`);
    }
  }
  return table;
}

/** All values of a column as a JS array (lists become number arrays). */
export function columnValues<T = unknown>(table: Table, name: string): T[] {
  const v = table.getChild(name);
  if (!v) throw new ArrowSchemaError(`missing column "${name}"`);
  const out: T[] = [];
  for (let i = 0; i < v.length; i++) {
    const x = v.get(i);
    out.push((x && typeof x === 'object' && 'toArray' in x ? Array.from((x as { toArray(): ArrayLike<number> }).toArray()) : x) as T);
  }
  return out;
}
