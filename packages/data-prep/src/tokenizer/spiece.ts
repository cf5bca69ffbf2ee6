// Reads a sentencepiece `spiece.model` (a ModelProto protobuf) without the sentencepiece
// library and builds the equivalent Unigram tokenizer.json, as transformers' T5 converter
// does: pieces and scores in id order, control/unknown pieces as special tokens, the
// precompiled normaliser charsmap carried over, and T5's `<extra_id_N>` sentinels appended
// (in reverse, so `<extra_id_0>` gets the last id) when asked for.
// Fields used (sentencepiece_model.proto): ModelProto.pieces = 1, trainer_spec = 2,
// normalizer_spec = 3; SentencePiece.piece = 1, score = 2 (float), type = 3;
// TrainerSpec.model_type = 3; NormalizerSpec.precompiled_charsmap = 2, add_dummy_prefix = 3.
import { DataPrepError } from '../errors.js';
import { t5TokenizerJson } from './t5-json.js';
import type { TokenizerJson } from './types.js';

export const PIECE_TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

export interface SpPiece { piece: string; score: number; type: number }
export interface SpModel { pieces: SpPiece[]; modelType: number; charsmap: Uint8Array; addDummyPrefix: boolean }

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array, readonly file: string) {}
  get done() { return this.pos >= this.b.length; }
  varint(): number {
    let x = 0, mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.b.length) throw new DataPrepError('truncated protobuf varint', { file: this.file });
      const c = this.b[this.pos++]!;
      x += (c & 0x7f) * mul;
      if (c < 0x80) return x;
      mul *= 128;
    }
    throw new DataPrepError('malformed protobuf varint', { file: this.file });
  }
  bytes(): Uint8Array {
    const n = this.varint();
    if (this.pos + n > this.b.length) throw new DataPrepError('truncated protobuf field', { file: this.file });
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  float(): number {
    if (this.pos + 4 > this.b.length) throw new DataPrepError('truncated protobuf float', { file: this.file });
    const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new DataPrepError(`unsupported protobuf wire type ${wire}`, { file: this.file });
  }
  /** Iterate fields: (field number, wire type). */
  *fields(): Generator<[number, number]> {
    while (!this.done) {
      const key = this.varint();
      yield [Math.floor(key / 8), key & 7];
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseSpModel(bytes: Uint8Array, file = 'spiece.model'): SpModel {
  const r = new Reader(bytes, file);
  const pieces: SpPiece[] = [];
  let modelType = 1, charsmap = new Uint8Array(0), addDummyPrefix = true;
  for (const [field, wire] of r.fields()) {
    if (field === 1 && wire === 2) {
      const p = new Reader(r.bytes(), file);
      const sp: SpPiece = { piece: '', score: 0, type: PIECE_TYPE.NORMAL };
      for (const [f, w] of p.fields()) {
        if (f === 1 && w === 2) sp.piece = utf8.decode(p.bytes());
        else if (f === 2 && w === 5) sp.score = p.float();
        else if (f === 3 && w === 0) sp.type = p.varint();
        else p.skip(w);
      }
      pieces.push(sp);
    } else if (field === 2 && wire === 2) {
      const t = new Reader(r.bytes(), file);
      for (const [f, w] of t.fields()) { if (f === 3 && w === 0) modelType = t.varint(); else t.skip(w); }
    } else if (field === 3 && wire === 2) {
      const n = new Reader(r.bytes(), file);
      for (const [f, w] of n.fields()) {
        if (f === 2 && w === 2) charsmap = n.bytes().slice();
        else if (f === 3 && w === 0) addDummyPrefix = n.varint() !== 0;
        else n.skip(w);
      }
    } else r.skip(wire);
  }
  if (pieces.length === 0) throw new DataPrepError('sentencepiece model has no pieces (not a spiece.model?)', { file });
  return { pieces, modelType, charsmap, addDummyPrefix };
}

/** tokenizer.json equivalent of a unigram sentencepiece model. */
export function spModelToTokenizerJson(m: SpModel, opts: { extraIds?: number; file?: string } = {}): TokenizerJson {
  if (m.modelType !== 1) throw new DataPrepError(`sentencepiece model_type ${m.modelType} is not supported (only UNIGRAM = 1, as T5 uses)`, { file: opts.file });
  const unkId = m.pieces.findIndex((p) => p.type === PIECE_TYPE.UNKNOWN);
  if (unkId < 0) throw new DataPrepError('sentencepiece model has no UNKNOWN piece', { file: opts.file });
  const vocab: [string, number][] = m.pieces.map((p) => [p.piece, p.type === PIECE_TYPE.NORMAL || p.type === PIECE_TYPE.USER_DEFINED ? p.score : 0]);
  const specialIds = m.pieces.flatMap((p, i) => (p.type === PIECE_TYPE.CONTROL || p.type === PIECE_TYPE.UNKNOWN ? [i] : []));
  for (let k = (opts.extraIds ?? 0) - 1; k >= 0; k--) { specialIds.push(vocab.length); vocab.push([`<extra_id_${k}>`, 0]); }
  return t5TokenizerJson({
    vocab, unkId, specialIds,
    precompiledCharsmap: m.charsmap.length ? Buffer.from(m.charsmap).toString('base64') : undefined,
    addPrefixSpace: m.addDummyPrefix,
  });
}
