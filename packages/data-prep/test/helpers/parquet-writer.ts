// A minimal Parquet writer for test fixtures (no Parquet writer is installed): one row group,
// REQUIRED columns, PLAIN encoding, data page v1, with the page body stored UNCOMPRESSED, as a
// valid SNAPPY stream (literal-only) or as a valid ZSTD frame (raw blocks), so the reader's
// decompressors are exercised. Thrift compact protocol per the Parquet format spec.

type Col = { name: string; type: 'utf8'; values: (string | Uint8Array)[] } | { name: string; type: 'int32'; values: number[] };
export type Codec = 'UNCOMPRESSED' | 'SNAPPY' | 'ZSTD';
const CODEC_ID: Record<Codec, number> = { UNCOMPRESSED: 0, SNAPPY: 1, ZSTD: 6 };

class Out {
  bytes: number[] = [];
  byte(b: number) { this.bytes.push(b & 0xff); }
  varint(n: number) { let v = n; while (v >= 0x80) { this.byte((v & 0x7f) | 0x80); v = Math.floor(v / 128); } this.byte(v); }
  zigzag(n: number) { this.varint(n >= 0 ? n * 2 : -n * 2 - 1); }
  raw(b: ArrayLike<number>) { for (let i = 0; i < b.length; i++) this.byte(b[i]!); }
}

// Thrift compact: a struct is a list of [fieldId, value] with typed values.
type TVal = { i32: number } | { i64: number } | { bin: Uint8Array | string } | { struct: TField[] } | { list: { elem: 'i32' | 'bin' | 'struct'; items: TVal[] } };
type TField = [number, TVal];
const TYPE = { i32: 5, i64: 6, bin: 8, list: 9, struct: 12 } as const;
function typeOf(v: TVal): number { return TYPE[Object.keys(v)[0] as keyof typeof TYPE]; }

function writeStruct(o: Out, fields: TField[]) {
  let last = 0;
  for (const [id, v] of fields) {
    const t = typeOf(v);
    if (id - last > 0 && id - last <= 15) o.byte(((id - last) << 4) | t);
    else { o.byte(t); o.zigzag(id); }
    last = id;
    writeValue(o, v);
  }
  o.byte(0);
}
function writeValue(o: Out, v: TVal) {
  if ('i32' in v) o.zigzag(v.i32);
  else if ('i64' in v) o.zigzag(v.i64);
  else if ('bin' in v) { const b = typeof v.bin === 'string' ? new TextEncoder().encode(v.bin) : v.bin; o.varint(b.length); o.raw(b); }
  else if ('struct' in v) writeStruct(o, v.struct);
  else {
    const et = TYPE[v.list.elem];
    const n = v.list.items.length;
    if (n < 15) o.byte((n << 4) | et); else { o.byte(0xf0 | et); o.varint(n); }
    for (const it of v.list.items) writeValue(o, it);
  }
}
function thrift(fields: TField[]): number[] { const o = new Out(); writeStruct(o, fields); return o.bytes; }

function snappyLiteral(data: Uint8Array): Uint8Array {
  const o = new Out();
  o.varint(data.length);
  for (let i = 0; i < data.length; i += 65536) {
    const chunk = data.subarray(i, i + 65536);
    const n = chunk.length - 1;
    if (n < 60) o.byte(n << 2);
    else if (n < 256) { o.byte(60 << 2); o.byte(n); }
    else { o.byte(61 << 2); o.byte(n & 0xff); o.byte(n >> 8); }
    o.raw(chunk);
  }
  return Uint8Array.from(o.bytes);
}

function zstdRaw(data: Uint8Array): Uint8Array {
  const o = new Out();
  o.raw([0x28, 0xb5, 0x2f, 0xfd]);
  o.byte(0xa0); // single segment, 4-byte frame content size, no checksum
  o.raw([data.length & 0xff, (data.length >> 8) & 0xff, (data.length >> 16) & 0xff, (data.length >>> 24) & 0xff]);
  const MAX = 1 << 17;
  for (let i = 0; i < data.length || i === 0; i += MAX) {
    const chunk = data.subarray(i, i + MAX);
    const last = i + MAX >= data.length ? 1 : 0;
    const h = last | (0 << 1) | (chunk.length << 3); // raw block
    o.raw([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff]);
    o.raw(chunk);
    if (data.length === 0) break;
  }
  return Uint8Array.from(o.bytes);
}

function plain(col: Col): Uint8Array {
  const o = new Out();
  if (col.type === 'utf8') {
    for (const v of col.values) {
      const b = typeof v === 'string' ? new TextEncoder().encode(v) : v;
      o.raw([b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, (b.length >>> 24) & 0xff]);
      o.raw(b);
    }
  } else {
    const dv = new DataView(new ArrayBuffer(4 * col.values.length));
    col.values.forEach((x, i) => dv.setInt32(4 * i, x, true));
    o.raw(new Uint8Array(dv.buffer));
  }
  return Uint8Array.from(o.bytes);
}

export function writeParquet(columns: Col[], codec: Codec = 'SNAPPY'): Uint8Array {
  const n = columns[0]?.values.length ?? 0;
  const file = new Out();
  file.raw([0x50, 0x41, 0x52, 0x31]);
  const chunks: TVal[] = [];
  for (const col of columns) {
    const body = plain(col);
    const packed = codec === 'SNAPPY' ? snappyLiteral(body) : codec === 'ZSTD' ? zstdRaw(body) : body;
    const header = thrift([
      [1, { i32: 0 }], [2, { i32: body.length }], [3, { i32: packed.length }],
      [5, { struct: [[1, { i32: n }], [2, { i32: 0 }], [3, { i32: 3 }], [4, { i32: 3 }]] }],
    ]);
    const offset = file.bytes.length;
    file.raw(header);
    file.raw(packed);
    const ptype = col.type === 'utf8' ? 6 : 1;
    chunks.push({ struct: [
      [2, { i64: offset }],
      [3, { struct: [
        [1, { i32: ptype }], [2, { list: { elem: 'i32', items: [{ i32: 0 }] } }], [3, { list: { elem: 'bin', items: [{ bin: col.name }] } }],
        [4, { i32: CODEC_ID[codec] }], [5, { i64: n }], [6, { i64: header.length + body.length }], [7, { i64: header.length + packed.length }],
        [9, { i64: offset }],
      ] }],
    ] });
  }
  const schema: TVal[] = [{ struct: [[4, { bin: 'schema' }], [5, { i32: columns.length }]] }];
  for (const col of columns) {
    const f: TField[] = [[1, { i32: col.type === 'utf8' ? 6 : 1 }], [3, { i32: 0 }], [4, { bin: col.name }]];
    if (col.type === 'utf8') f.push([6, { i32: 0 }]);
    schema.push({ struct: f });
  }
  const meta = thrift([
    [1, { i32: 1 }],
    [2, { list: { elem: 'struct', items: schema } }],
    [3, { i64: n }],
    [4, { list: { elem: 'struct', items: [{ struct: [[1, { list: { elem: 'struct', items: chunks } }], [2, { i64: file.bytes.length }], [3, { i64: n }]] }] } }],
    [6, { bin: 'switchyard test writer' }],
  ]);
  file.raw(meta);
  file.raw([meta.length & 0xff, (meta.length >> 8) & 0xff, (meta.length >> 16) & 0xff, (meta.length >>> 24) & 0xff]);
  file.raw([0x50, 0x41, 0x52, 0x31]);
  return Uint8Array.from(file.bytes);
}
