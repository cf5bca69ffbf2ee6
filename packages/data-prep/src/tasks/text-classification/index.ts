// The `text-classification` task family, data side: a registered classification dataset
// (datasets.ts: `{ text, label }` per split and the label names) becomes one Arrow file per split
// (ids list<int32>, label int32 with −1 for an unlabelled example), classification.json (label
// names, vocabulary, lengths, rows, which splits are labelled) and, for the word vocabulary,
// vocabulary.json (id → word). The word vocabulary (encode.ts) is built from train + the
// evaluation split (validation, else test: the reference's "dev"). BANKING77, SST-2, SST-5 and
// IMDb are registered by builtin-datasets.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTable, writeArrowFile } from '@switchyard/runtime';
import type { DataPrepTask } from '../../task-registry.js';
import { DataPrepError } from '../../errors.js';
import { SPLITS } from '../../types.js';
import { classificationDataset } from './datasets.js';
import { byteEncoder, wordEncoder } from './encode.js';
import { registerBuiltinClassificationDatasets } from './builtin-datasets.js';

registerBuiltinClassificationDatasets();
import { CLASSIFICATION_META_FILE, NO_LABEL, type ClassificationMeta } from './prepared.js';

export const textClassificationDataTask: DataPrepTask = {
  name: 'text-classification',
  async prepare(cfg, outDir, hooks) {
    const c = cfg.classification;
    if (!c) throw new DataPrepError('task "text-classification" needs a "classification" section, e.g. {"dataset": "banking77"}', { field: 'classification' });
    const opts = { ...c, vocabulary: c.vocabulary ?? 'word', maxLength: c.maxLength ?? 256, minCount: c.minCount ?? 1, boundaryTokens: c.boundaryTokens ?? true }; // defaults also when called without the schema
    const data = await classificationDataset(c.dataset)({ env: hooks.env ?? process.env, log: hooks.log, path: c.path, imdb: c.imdb });
    const where = `classification dataset "${c.dataset}"`;
    const labels = data.labelNames;
    if (!Array.isArray(labels) || labels.length < 2) throw new DataPrepError(`${where}: needs at least 2 label names, got ${JSON.stringify(labels)}`);
    const train = data.splits.train;
    if (!train?.length) throw new DataPrepError(`${where}: has no train examples; splits: ${Object.keys(data.splits).join(', ') || '(none)'}`);
    for (const split of SPLITS) {
      (data.splits[split] ?? []).forEach((e, row) => {
        if (typeof e.text !== 'string') throw new DataPrepError(`${where}: "text" must be a string`, { row, field: 'text', file: split });
        if (e.label !== null && !(Number.isInteger(e.label) && e.label >= 0 && e.label < labels.length)) {
          throw new DataPrepError(`${where}: label ${JSON.stringify(e.label)} is not a class index 0..${labels.length - 1} (${labels.join(', ')})`, { row, field: 'label', file: split });
        }
        if (split === 'train' && e.label === null) throw new DataPrepError(`${where}: every train example needs a label`, { row, field: 'label', file: split });
      });
    }
    const evaluation = data.splits.validation?.length ? data.splits.validation : (data.splits.test ?? []);
    const encoder = opts.vocabulary === 'bytes' ? byteEncoder()
      : wordEncoder([...train, ...evaluation].map((e) => e.text), { minCount: opts.minCount, maxVocabulary: opts.maxVocabulary, boundaryTokens: opts.boundaryTokens });
    const meta: ClassificationMeta = {
      dataset: c.dataset, description: data.description, labelNames: labels,
      vocabulary: { kind: encoder.kind, size: encoder.size, padId: encoder.padId, unkId: encoder.unkId },
      maxLength: opts.maxLength, rows: {}, labelled: {},
    };
    let empty = 0;
    for (const split of SPLITS) {
      const examples = data.splits[split];
      if (!examples) continue;
      const ids = examples.map((e) => encoder.encode(e.text, opts.maxLength));
      // An example without a token (bytes, or words without boundary tokens) still has to be read by the head: one <unk> / space.
      for (const r of ids) if (r.length === 0) { r.push(encoder.unkId ?? 32); empty++; }
      writeArrowFile(join(outDir, `${split}.arrow`), makeTable({
        ids: { kind: 'list<int32>', values: ids },
        label: { kind: 'int32', values: examples.map((e) => e.label ?? NO_LABEL) },
      }));
      meta.rows[split] = examples.length;
      meta.labelled[split] = examples.length > 0 && examples.every((e) => e.label !== null);
    }
    writeFileSync(join(outDir, CLASSIFICATION_META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
    if (encoder.tokens) writeFileSync(join(outDir, 'vocabulary.json'), `${JSON.stringify(encoder.tokens)}\n`);
    hooks.log(`text-classification: ${data.description}; ${labels.length} classes; ${encoder.kind} vocabulary of ${encoder.size}; rows ${JSON.stringify(meta.rows)}${empty ? `; ${empty} empty texts given one token` : ''}`);
    hooks.record('classification', { ...meta, emptyTexts: empty });
    return meta;
  },
};
