// The `text-classification` data-prep task (src/tasks/text-classification/): a dataset registered
// through the minimal `{ text, label }` interface becomes Arrow splits; the word vocabulary and the
// byte ids are checked against hand-worked examples; bad datasets are named with split, row, field.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  prepareTask, resolveConfig, registerClassificationDataset, readClassificationMeta, readClassificationSplit, type ClassificationDataset,
} from '@switchyard/data-prep';

const hooks = { log: () => {}, record: () => {} };
let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'cls-prep-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const datasets: Record<string, ClassificationDataset> = {
  hand: {
    labelNames: ['no', 'yes'], description: 'hand-made',
    splits: {
      train: [{ text: 'b a  a', label: 0 }, { text: 'C\tb', label: 1 }],
      validation: [{ text: 'a d', label: 1 }],
      test: [{ text: 'e A', label: null }, { text: '   ', label: null }],
    },
  },
  bytes: { labelNames: ['x', 'y'], description: 'bytes', splits: { train: [{ text: 'é!', label: 1 }, { text: 'abcdef', label: 0 }] } },
  'bad-label': { labelNames: ['x', 'y'], description: 'bad', splits: { train: [{ text: 'a', label: 0 }], validation: [{ text: 'b', label: 0 }, { text: 'c', label: 2 }] } },
  'unlabelled-train': { labelNames: ['x', 'y'], description: 'bad', splits: { train: [{ text: 'a', label: 0 }, { text: 'b', label: null }] } },
  'one-class': { labelNames: ['x'], description: 'bad', splits: { train: [{ text: 'a', label: 0 }] } },
};
for (const [name, d] of Object.entries(datasets)) registerClassificationDataset(name, async () => d);

const prep = (classification: Record<string, unknown>) => prepareTask(resolveConfig({ task: 'text-classification', classification }), dir, hooks);

it('word vocabulary (cls-data\'s): lower-cased whitespace words of train + validation by count (ties: first seen) after <pad> <unk> <cls> <s>; <cls> … <s> per text', async () => {
  await prep({ dataset: 'hand' });
  // counts over train + validation: a 3, b 2, c 1, d 1 (c before d: seen first); e (test only) is unknown
  expect(JSON.parse(readFileSync(join(dir, 'vocabulary.json'), 'utf8'))).toEqual(['<pad>', '<unk>', '<cls>', '<s>', 'a', 'b', 'c', 'd']);
  expect(readClassificationSplit(dir, 'train')).toEqual({ ids: [[2, 5, 4, 4, 3], [2, 6, 5, 3]], labels: [0, 1] });
  expect(readClassificationSplit(dir, 'validation')).toEqual({ ids: [[2, 4, 7, 3]], labels: [1] });
  // unlabelled → −1; an empty text is <cls> <s>
  expect(readClassificationSplit(dir, 'test')).toEqual({ ids: [[2, 1, 4, 3], [2, 3]], labels: [-1, -1] });
  const meta = readClassificationMeta(dir);
  expect(meta).toMatchObject({ dataset: 'hand', labelNames: ['no', 'yes'], vocabulary: { kind: 'word', size: 8, padId: 0, unkId: 1 }, rows: { train: 2, validation: 1, test: 2 }, labelled: { train: true, validation: true, test: false } });
  expect(JSON.parse(readFileSync(join(dir, 'task.json'), 'utf8'))).toEqual({ task: 'text-classification' });
});

it('minCount, maxVocabulary, maxLength (boundary tokens included) and boundaryTokens: false', async () => {
  const fresh = () => { rmSync(dir, { recursive: true }); dir = mkdtempSync(join(tmpdir(), 'cls-prep-')); };
  await prep({ dataset: 'hand', minCount: 2, maxLength: 4 });
  expect(JSON.parse(readFileSync(join(dir, 'vocabulary.json'), 'utf8'))).toEqual(['<pad>', '<unk>', '<cls>', '<s>', 'a', 'b']);
  expect(readClassificationSplit(dir, 'train').ids).toEqual([[2, 5, 4, 3], [2, 1, 5, 3]]);
  fresh();
  await prep({ dataset: 'hand', maxVocabulary: 5 });
  expect(readClassificationSplit(dir, 'train').ids).toEqual([[2, 1, 4, 4, 3], [2, 1, 1, 3]]);
  fresh();
  await prep({ dataset: 'hand', boundaryTokens: false });
  expect(readClassificationSplit(dir, 'train').ids).toEqual([[5, 4, 4], [6, 5]]);
  expect(readClassificationSplit(dir, 'test').ids).toEqual([[1, 4], [1]]); // an empty text gets one <unk>
});

it('bytes vocabulary: the UTF-8 bytes as ids (an LM byte vocabulary), first maxLength bytes', async () => {
  await prep({ dataset: 'bytes', vocabulary: 'bytes', maxLength: 4 });
  expect(readClassificationSplit(dir, 'train').ids).toEqual([[0xc3, 0xa9, 0x21], [97, 98, 99, 100]]);
  expect(readClassificationMeta(dir).vocabulary).toEqual({ kind: 'bytes', size: 256, padId: 0, unkId: null });
});

it('bad datasets and configs are named', async () => {
  await expect(prep({ dataset: 'bad-label' })).rejects.toThrow(/validation.*row 1.*label.*label 2 is not a class index 0\.\.1 \(x, y\)/);
  await expect(prep({ dataset: 'unlabelled-train' })).rejects.toThrow(/row 1.*every train example needs a label/);
  await expect(prep({ dataset: 'one-class' })).rejects.toThrow(/at least 2 label names/);
  await expect(prep({ dataset: 'bankin77' })).rejects.toThrow(/unknown classification dataset "bankin77" \(did you mean "banking77"\?\)/);
  await expect(prep({ dataset: 'nope' })).rejects.toThrow(/unknown classification dataset "nope"; registered: .*bad-label.*banking77.*hand.*imdb.*sst2, sst5/);
  await expect(prepareTask(resolveConfig({ task: 'text-classification' }), dir, hooks)).rejects.toThrow(/needs a "classification" section/);
  expect(() => resolveConfig({ task: 'text-classification', classification: { dataset: 'hand', vocab: 'word' } })).toThrow(/unknown key "vocab"/);
});

it('BANKING77 from the embedded copy (offline): the README\'s row counts, categories.json\'s 77 names, the first query encoded', async () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'datasets', 'embedded-banking77');
  await prepareTask(resolveConfig({ task: 'text-classification', classification: { dataset: 'banking77', maxLength: 16 } }), dir, { log: () => {}, record: () => {}, env: {} });
  const meta = readClassificationMeta(dir);
  expect(meta.rows).toEqual({ train: 10003, test: 3080 });
  expect(meta.labelled).toEqual({ train: true, test: true });
  expect(meta.labelNames).toEqual(JSON.parse(readFileSync(join(root, 'categories.json'), 'utf8')));
  const vocab = JSON.parse(readFileSync(join(dir, 'vocabulary.json'), 'utf8')) as string[];
  const train = readClassificationSplit(dir, 'train');
  // train.csv line 2: "I am still waiting on my card?,card_arrival"
  expect(train.ids[0]!.map((i) => vocab[i])).toEqual(['<cls>', 'i', 'am', 'still', 'waiting', 'on', 'my', 'card?', '<s>']);
  expect(train.labels[0]).toBe(meta.labelNames.indexOf('card_arrival'));
  expect(Math.max(...train.ids.map((r) => r.length))).toBe(16);
});
