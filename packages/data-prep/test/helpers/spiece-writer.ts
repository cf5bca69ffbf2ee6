// Writes a sentencepiece ModelProto (the spiece.model format) for tests: pieces with score and
// type, trainer_spec.model_type, normalizer_spec name / precompiled_charsmap / add_dummy_prefix.
function varint(out: number[], n: number) { let v = n; while (v >= 0x80) { out.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); } out.push(v); }
function key(out: number[], field: number, wire: number) { varint(out, field * 8 + wire); }
function bytesField(out: number[], field: number, b: ArrayLike<number>) { key(out, field, 2); varint(out, b.length); for (let i = 0; i < b.length; i++) out.push(b[i]!); }
const enc = (s: string) => new TextEncoder().encode(s);

export interface SpPieceSpec { piece: string; score: number; type?: number }

export function writeSpModel(pieces: SpPieceSpec[], opts: { modelType?: number; charsmap?: Uint8Array; addDummyPrefix?: boolean } = {}): Uint8Array {
  const out: number[] = [];
  for (const p of pieces) {
    const m: number[] = [];
    bytesField(m, 1, enc(p.piece));
    key(m, 2, 5);
    const f = new DataView(new ArrayBuffer(4)); f.setFloat32(0, p.score, true);
    for (let i = 0; i < 4; i++) m.push(f.getUint8(i));
    if (p.type !== undefined && p.type !== 1) { key(m, 3, 0); varint(m, p.type); }
    bytesField(out, 1, m);
  }
  const trainer: number[] = [];
  key(trainer, 3, 0); varint(trainer, opts.modelType ?? 1);
  key(trainer, 40, 0); varint(trainer, 2); // unk_id (ignored by the reader: the UNKNOWN piece decides)
  bytesField(out, 2, trainer);
  const norm: number[] = [];
  bytesField(norm, 1, enc('nmt_nfkc'));
  if (opts.charsmap) bytesField(norm, 2, opts.charsmap);
  key(norm, 3, 0); varint(norm, opts.addDummyPrefix === false ? 0 : 1);
  bytesField(out, 3, norm);
  return Uint8Array.from(out);
}
