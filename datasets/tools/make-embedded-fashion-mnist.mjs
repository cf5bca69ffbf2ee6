#!/usr/bin/env node
// Makes datasets/embedded-fashion-mnist/: a class-balanced subset of Fashion-MNIST (MIT, Zalando
// SE) in the upstream IDX .gz format — the first 600 images of each class in the train file
// (6,000) and the first 100 of each class in the t10k file (1,000), kept in file order. No
// randomness: the subset is a pure function of the full files. Plain JS, no dependencies.
//
//   node datasets/tools/make-embedded-fashion-mnist.mjs [--from DIR] [--out DIR]
//   node datasets/tools/make-embedded-fashion-mnist.mjs --check [--from DIR]
// DIR (default /usr/share/datasets/fashion-mnist, Debian's `dataset-fashion-mnist`) holds the
// four full files. --check exits 1 unless the committed files decompress to exactly the subset
// (the gzip bytes themselves may differ between zlib versions; the IDX content may not).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';

const PER_CLASS = { train: 600, t10k: 100 };
const CLASSES = 10;
const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] : dflt; };
const from = resolve(arg('--from', '/usr/share/datasets/fashion-mnist'));
const out = resolve(arg('--out', join(here, '..', 'embedded-fashion-mnist')));
const check = process.argv.includes('--check');

function readIdx(file, rank) {
  const b = gunzipSync(readFileSync(file));
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint32(0) !== 0x800 + rank) throw new Error(`${file}: magic ${v.getUint32(0)} != ${0x800 + rank}`);
  const dims = Array.from({ length: rank }, (_, i) => v.getUint32(4 + 4 * i));
  return { dims, data: b.subarray(4 + 4 * rank) };
}

function idxBytes(dims, data) {
  const h = Buffer.alloc(4 + 4 * dims.length);
  h.writeUInt32BE(0x800 + dims.length, 0);
  dims.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([h, Buffer.from(data)]);
}

let ok = true;
for (const stem of ['train', 't10k']) {
  const img = readIdx(join(from, `${stem}-images-idx3-ubyte.gz`), 3);
  const lab = readIdx(join(from, `${stem}-labels-idx1-ubyte.gz`), 1);
  const [n, rows, cols] = img.dims;
  const px = rows * cols;
  const taken = new Array(CLASSES).fill(0);
  const keep = [];
  for (let i = 0; i < n; i++) {
    const c = lab.data[i];
    if (taken[c] < PER_CLASS[stem]) { taken[c]++; keep.push(i); }
  }
  if (taken.some((t) => t !== PER_CLASS[stem])) throw new Error(`${stem}: not enough images per class: ${taken}`);
  const images = new Uint8Array(keep.length * px);
  const labels = new Uint8Array(keep.length);
  keep.forEach((src, j) => { images.set(img.data.subarray(src * px, (src + 1) * px), j * px); labels[j] = lab.data[src]; });
  const files = {
    [`${stem}-images-idx3-ubyte.gz`]: idxBytes([keep.length, rows, cols], images),
    [`${stem}-labels-idx1-ubyte.gz`]: idxBytes([keep.length], labels),
  };
  for (const [name, raw] of Object.entries(files)) {
    const sha = createHash('sha256').update(raw).digest('hex');
    if (check) {
      const have = gunzipSync(readFileSync(join(out, name)));
      const same = Buffer.compare(have, raw) === 0;
      ok &&= same;
      console.log(`${same ? 'ok  ' : 'DIFF'} ${name} (decompressed sha256 ${sha})`);
    } else {
      mkdirSync(out, { recursive: true });
      const gz = gzipSync(raw, { level: 9 });
      writeFileSync(join(out, name), gz);
      console.log(`${name}: ${keep.length} items, ${raw.length} bytes IDX, ${gz.length} bytes gz, decompressed sha256 ${sha}`);
    }
  }
}
if (!ok) process.exit(1);
