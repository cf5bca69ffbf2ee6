// IDX reading: hand-written bytes decode to hand-computed values for every element type; every
// malformed header or body gives an error naming the file and the byte offset; the image/label
// pair is cross-checked; the folder resolution order (explicit, FASHION_MNIST_DIR, Debian's
// folder, embedded); the embedded subset has its documented shape and class balance, and — when
// the real files are present — equals the first 600/100 images of each class of the full files.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  parseIdx, readIdxFile, encodeIdx, loadIdxImageSet, loadFashionMnist, resolveFashionMnist, embeddedFashionMnistDir, type IdxArray,
} from '@switchyard/data-prep';
import { repoRoot } from './helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'idx-test-'));
const put = (name: string, bytes: Uint8Array | number[]): string => {
  const p = join(tmp, name);
  writeFileSync(p, Uint8Array.from(bytes as ArrayLike<number>));
  return p;
};
const hdr = (type: number, dims: number[]): number[] => [0, 0, type, dims.length, ...dims.flatMap((d) => [(d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255])];

describe('parseIdx on hand-written bytes', () => {
  it('uint8 [2, 3]', () => {
    const a = parseIdx(Uint8Array.from([...hdr(0x08, [2, 3]), 0, 1, 2, 253, 254, 255]), 'x');
    expect(a.dtype).toBe('uint8');
    expect(a.dims).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([0, 1, 2, 253, 254, 255]);
  });
  it('int8, int16, int32 big-endian', () => {
    expect(Array.from(parseIdx(Uint8Array.from([...hdr(0x09, [2]), 0x7f, 0x80]), 'x').data)).toEqual([127, -128]);
    expect(Array.from(parseIdx(Uint8Array.from([...hdr(0x0b, [2]), 0x01, 0x02, 0xff, 0xfe]), 'x').data)).toEqual([258, -2]);
    expect(Array.from(parseIdx(Uint8Array.from([...hdr(0x0c, [1]), 0x00, 0x01, 0x00, 0x00]), 'x').data)).toEqual([65536]);
  });
  it('float32 and float64 big-endian', () => {
    // 1.5f = 0x3FC00000; -2.0 (double) = 0xC000000000000000
    expect(Array.from(parseIdx(Uint8Array.from([...hdr(0x0d, [1]), 0x3f, 0xc0, 0, 0]), 'x').data)).toEqual([1.5]);
    expect(Array.from(parseIdx(Uint8Array.from([...hdr(0x0e, [1]), 0xc0, 0, 0, 0, 0, 0, 0, 0]), 'x').data)).toEqual([-2]);
  });
  it('encodeIdx is the inverse of parseIdx for every element type', () => {
    const cases: IdxArray[] = [
      { dtype: 'uint8', dims: [2, 2], data: Uint8Array.from([1, 2, 3, 255]) },
      { dtype: 'int8', dims: [3], data: Int8Array.from([-1, 0, 5]) },
      { dtype: 'int16', dims: [1, 2], data: Int16Array.from([-300, 300]) },
      { dtype: 'int32', dims: [2], data: Int32Array.from([-70000, 1 << 30]) },
      { dtype: 'float32', dims: [2], data: Float32Array.from([0.25, -3]) },
      { dtype: 'float64', dims: [1, 1, 1], data: Float64Array.from([Math.PI]) },
    ];
    for (const c of cases) {
      const back = parseIdx(encodeIdx(c), 'x');
      expect(back.dtype).toBe(c.dtype);
      expect(back.dims).toEqual(c.dims);
      expect(Array.from(back.data)).toEqual(Array.from(c.data));
    }
  });
});

describe('bad IDX input names the file and the byte offset', () => {
  const cases: [string, number[], RegExp][] = [
    ['short.idx', [0, 0], /short\.idx: byte 2: IDX header truncated: 2 bytes, the magic number alone needs 4$/],
    ['png.idx', [0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0], /png\.idx: byte 0: not an IDX file: magic number starts 0x89 0x50, expected 0x00 0x00$/],
    ['magic1.idx', [0, 1, 8, 1, 0, 0, 0, 0], /magic1\.idx: byte 1: not an IDX file/],
    ['dtype.idx', [0, 0, 0x0a, 1, 0, 0, 0, 0], /dtype\.idx: byte 2: unknown IDX element type 0x0a; expected one of 0x08 \(uint8\)/],
    ['rank0.idx', [0, 0, 8, 0], /rank0\.idx: byte 3: IDX rank is 0/],
    ['header.idx', [0, 0, 8, 3, 0, 0, 0, 1, 0, 0], /header\.idx: byte 10: IDX header truncated: 3 dimensions need 16 header bytes, the file has 10$/],
    ['huge.idx', [0, 0, 8, 1, 0x80, 0, 0, 0], /huge\.idx: byte 4: dimension 0 is 2147483648, larger than 2\^31 − 1$/],
    ['body.idx', [...hdr(0x0b, [2, 2]), 1, 2, 3], /body\.idx: byte 15: IDX data truncated: dims \[2, 2\] of int16 need 20 bytes, the file ends after 15$/],
    ['trailing.idx', [...hdr(0x08, [2]), 1, 2, 3, 4], /trailing\.idx: byte 10: 2 trailing bytes after the data of dims \[2\] of uint8 \(expected 10 bytes in all\)$/],
  ];
  it.each(cases)('%s', (name, bytes, msg) => {
    expect(() => readIdxFile(put(name, bytes))).toThrow(msg);
  });
  it('a gzip file is read the same as the raw one, and errors say "after gunzip"', () => {
    const raw = [...hdr(0x08, [3]), 7, 8, 9];
    const gz = put('ok.idx.gz', gzipSync(Uint8Array.from(raw)));
    expect(Array.from(readIdxFile(gz).data)).toEqual([7, 8, 9]);
    const bad = put('cut.idx.gz', gzipSync(Uint8Array.from(raw.slice(0, -1))));
    expect(() => readIdxFile(bad)).toThrow(/cut\.idx\.gz \(after gunzip\): byte 10: IDX data truncated/);
  });
  it('a damaged gzip stream and a missing file are named', () => {
    const gz = gzipSync(Uint8Array.from([...hdr(0x08, [3]), 7, 8, 9]));
    const broken = put('broken.gz', [...gz.subarray(0, 12), 0xff, 0xff, 0xff, 0xff]);
    expect(() => readIdxFile(broken)).toThrow(/broken\.gz: gzip stream is damaged/);
    expect(() => readIdxFile(join(tmp, 'nope.gz'))).toThrow(/nope\.gz: cannot read IDX file \(ENOENT\)/);
  });
});

describe('loadIdxImageSet', () => {
  const images = put('img', [...hdr(0x08, [2, 2, 2]), 1, 2, 3, 4, 5, 6, 7, 8]);
  it('reads a consistent pair', () => {
    const s = loadIdxImageSet(images, put('lab', [...hdr(0x08, [2]), 3, 0]), { numClasses: 4 });
    expect([s.count, s.rows, s.cols]).toEqual([2, 2, 2]);
    expect(Array.from(s.images)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(s.labels)).toEqual([3, 0]);
  });
  it('rejects a count mismatch, swapped files, wrong dtype and out-of-range labels', () => {
    expect(() => loadIdxImageSet(images, put('lab3', [...hdr(0x08, [3]), 0, 0, 0]))).toThrow(/lab3: byte 4: 3 labels, but .*img has 2 images$/);
    expect(() => loadIdxImageSet(put('lab-as-img', [...hdr(0x08, [2]), 0, 0]), images)).toThrow(/lab-as-img: byte 3: images must have 3 dimensions, found 1 \(\[2\]\); is this the labels file\?$/);
    expect(() => loadIdxImageSet(images, put('lab16', [...hdr(0x0b, [2]), 0, 0, 0, 0]))).toThrow(/lab16: byte 2: labels must be uint8 \(0x08\), found int16$/);
    expect(() => loadIdxImageSet(images, put('lab10', [...hdr(0x08, [2]), 1, 10]), { numClasses: 10 })).toThrow(/lab10: byte 9 \(label 1\): class 10 is out of range; expected 0\.\.9$/);
  });
});

describe('Fashion-MNIST folder resolution', () => {
  const fake = join(tmp, 'fake-fmnist');
  mkdirSync(fake, { recursive: true });
  for (const stem of ['train', 't10k']) {
    writeFileSync(join(fake, `${stem}-images-idx3-ubyte`), encodeIdx({ dtype: 'uint8', dims: [1, 28, 28], data: new Uint8Array(784) }));
    writeFileSync(join(fake, `${stem}-labels-idx1-ubyte.gz`), gzipSync(encodeIdx({ dtype: 'uint8', dims: [1], data: Uint8Array.from([9]) })));
  }
  const nowhere = join(tmp, 'no-debian');
  it('explicit folder, then FASHION_MNIST_DIR, then the Debian folder, then the embedded subset', () => {
    expect(resolveFashionMnist(fake, {}, nowhere).via).toBe('path');
    expect(resolveFashionMnist(undefined, { FASHION_MNIST_DIR: fake }, nowhere)).toMatchObject({ via: 'FASHION_MNIST_DIR', dir: fake });
    expect(resolveFashionMnist(undefined, {}, fake)).toMatchObject({ via: 'debian', dir: fake });
    const emb = resolveFashionMnist(undefined, {}, nowhere);
    expect(emb).toMatchObject({ via: 'embedded', dir: embeddedFashionMnistDir() });
    expect(emb.notice).toMatch(/a subset, not the full set/);
    expect(resolveFashionMnist('embedded').via).toBe('embedded');
  });
  it('a FASHION_MNIST_DIR without the files is an error, not a silent fallback', () => {
    expect(() => resolveFashionMnist(undefined, { FASHION_MNIST_DIR: tmp }, nowhere)).toThrow(/FASHION_MNIST_DIR does not hold the four Fashion-MNIST IDX files/);
  });
  it('mixes raw and .gz files in one folder', () => {
    const s = loadFashionMnist('test', fake);
    expect([s.count, s.labels[0]]).toEqual([1, 9]);
  });
});

function perClass(labels: Uint8Array): number[] {
  const c = new Array(10).fill(0);
  for (const l of labels) c[l]++;
  return c;
}

describe('embedded subset', () => {
  const train = loadFashionMnist('train', 'embedded');
  const test = loadFashionMnist('test', 'embedded');
  it('6,000 train / 1,000 test, 28×28, exactly 600 / 100 per class', () => {
    expect([train.count, train.rows, train.cols]).toEqual([6000, 28, 28]);
    expect([test.count, test.rows, test.cols]).toEqual([1000, 28, 28]);
    expect(perClass(train.labels)).toEqual(new Array(10).fill(600));
    expect(perClass(test.labels)).toEqual(new Array(10).fill(100));
  });
  const shared = join(repoRoot, '../shared/datasets/fashion-mnist');
  const run = existsSync(join(shared, 'train-images-idx3-ubyte.gz')) ? it : it.skip;
  if (!existsSync(shared)) it('shared Fashion-MNIST files absent: the comparison with the full set is skipped', () => { console.warn(`${shared} absent; skipping`); });
  run('equals the first 600 (train) / 100 (test) images of each class of the full files, in file order', () => {
    for (const [sub, split, per] of [[train, 'train', 600], [test, 'test', 100]] as const) {
      const full = loadFashionMnist(split, shared);
      expect(full.count).toBe(split === 'train' ? 60000 : 10000);
      expect(perClass(full.labels)).toEqual(new Array(10).fill(split === 'train' ? 6000 : 1000));
      const taken = new Array(10).fill(0);
      let j = 0;
      for (let i = 0; i < full.count && j < sub.count; i++) {
        const c = full.labels[i]!;
        if (taken[c] >= per) continue;
        taken[c]++;
        expect(sub.labels[j]).toBe(c);
        const a = full.images.subarray(i * 784, (i + 1) * 784), b = sub.images.subarray(j * 784, (j + 1) * 784);
        if (Buffer.compare(a, b) !== 0) throw new Error(`${split} subset image ${j} differs from full image ${i}`);
        j++;
      }
      expect(j).toBe(sub.count);
    }
  });
});
