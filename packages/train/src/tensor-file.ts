// Minimal safetensors (F32 only) for checkpoint internals: weights by parameter name and
// optimiser slots. Format: u64 LE header length, JSON header {name: {dtype, shape,
// data_offsets}}, then the raw little-endian data. Keys are sorted so the bytes depend only on
// the contents (identical runs → identical files). The HF export of final weights is
// model-core's job; this file only has to round-trip the loop's own state bit-exactly.
export interface HostTensor { shape: number[]; data: Float32Array }

export function encodeTensorFile(tensors: Record<string, HostTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const keys = Object.keys(tensors).sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const k of keys) {
    const t = tensors[k]!;
    const n = t.shape.reduce((a, d) => a * d, 1);
    if (n !== t.data.length) throw new Error(`tensor ${k}: shape [${t.shape}] needs ${n} values, has ${t.data.length}`);
    header[k] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * n] };
    offset += 4 * n;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // align the data to 8 bytes
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const k of keys) {
    const d = tensors[k]!.data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos); // host is little-endian (x86/arm)
    pos += d.byteLength;
  }
  return out;
}

export function decodeTensorFile(bytes: Uint8Array, file: string): { tensors: Record<string, HostTensor>; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new Error(`${file}: too short for a safetensors file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) throw new Error(`${file}: header length ${n} exceeds the file`);
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const base = 8 + n;
  const tensors: Record<string, HostTensor> = {};
  let metadata: Record<string, string> = {};
  for (const [k, e] of Object.entries(header)) {
    if (k === '__metadata__') { metadata = e as unknown as Record<string, string>; continue; }
    if (e.dtype !== 'F32') throw new Error(`${file}: tensor ${k} has dtype ${e.dtype}, only F32 is written by the train loop`);
    const [a, b] = e.data_offsets;
    const copy = bytes.slice(base + a, base + b); // aligned copy
    tensors[k] = { shape: e.shape, data: new Float32Array(copy.buffer, copy.byteOffset, (b - a) / 4) };
  }
  return { tensors, metadata };
}
