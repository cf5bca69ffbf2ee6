// The data-prep stage config: JSON Schema 2020-12 (unknown keys rejected everywhere, defaults
// documented and applied) and its TypeScript shape. See README.md for a worked reference.
import { checkSchema } from '@switchyard/runtime';
import type { FileFormat, FieldNames, InvalidPolicy, SplitName } from './types.js';
import type { SourceSpec } from './source.js';
import type { NormaliseConfig } from './normalise.js';
import { DataPrepError } from './errors.js';
import { imageDataConfigSchema, type ImageDataConfig } from './tasks/image-classification/config.js';

/** A split taken from the main source (its name there) or from another source. */
export type SplitSpec = string | { from?: SourceSpec; split?: string };

export interface TokenizerConfig {
  /** "train": learn a unigram tokenizer on the train split; "pretrained": load `path`. Defaults to "train". */
  type: 'train' | 'pretrained';
  /** tokenizer.json, a folder with tokenizer.json, or a folder/file spiece.model (pretrained only). */
  path?: string;
  /** Ids in the trained tokenizer, pad/eos/unk included. Defaults to 4000. */
  vocabSize: number;
  /** Longest trained piece in characters. Defaults to 16. */
  maxPieceLength: number;
  /** T5 `<extra_id_N>` sentinels (train: appended; pretrained spiece.model: see loadTokenizer). */
  extraIds?: number;
}

export interface DataPrepConfig {
  /** Task family whose data preparation runs (src/task-registry.ts). Defaults to "summarisation". */
  task: string;
  source: SourceSpec;
  splits?: Partial<Record<SplitName, SplitSpec>>;
  fields: FieldNames;
  onInvalid: InvalidPolicy;
  normalise: NormaliseConfig;
  tokenizer: TokenizerConfig;
  maxRows?: Partial<Record<SplitName, number>>;
  seed?: number;
  /** The image-classification task's data (src/tasks/image-classification/config.ts); other tasks ignore it. */
  image?: ImageDataConfig;
  /** Task "text-classification" only (src/tasks/text-classification/). */
  classification?: ClassificationPrepConfig;
  /** The language-modelling task's corpus (tasks/language-modelling/); ignored by other tasks. */
  lm?: Partial<LmDataConfig>;
}

export interface ClassificationPrepConfig {
  /** A registered classification dataset (registerClassificationDataset). */
  dataset: string;
  /** "word": lower-cased whitespace words of train + the evaluation split, <pad> 0, <unk> 1, <cls> 2, <s> 3; "bytes": UTF-8 bytes (ids 0–255, an LM's byte vocabulary). */
  vocabulary: 'word' | 'bytes';
  /** Tokens kept per example (the first ones). */
  maxLength: number;
  /** word: keep words seen at least this often in train + validation. */
  minCount: number;
  /** word: largest vocabulary, special tokens included. */
  maxVocabulary?: number;
  /** word: <cls> first and <s> last (the reference; the last token read by the head is then <s>). */
  boundaryTokens: boolean;
  /** An explicit copy of the dataset (else its *_DIR variable, else an embedded copy). */
  path?: string;
  /** IMDb: keep the first maxTokens whitespace tokens, then the first maxChars characters of each review. */
  imdb?: { maxTokens?: number; maxChars?: number };
}

/** The `lm` section: which corpus, from where, which split rule. */
export interface LmDataConfig {
  corpus: 'enwik8' | 'text8' | 'wikitext-2' | 'wikitext-103';
  source: 'auto' | 'embedded' | { path: string };
  split: 'auto' | 'standard' | 'proportional';
  /** WikiText: the split files that must exist (default all three). */
  splits?: ('train' | 'valid' | 'test')[];
}

const FORMATS: FileFormat[] = ['json', 'jsonl', 'csv', 'parquet', 'arrow'];
const str = (def: string, description: string) => ({ type: 'string', minLength: 1, default: def, description });
const splitProps = (schema: object) => ({ train: schema, validation: schema, test: schema });

// Inlined rather than $ref'd so the schema stays valid when embedded in a pipeline schema.
const sourceSchema = {
  description: '"samsum": SAMSUM_DIR, then the Hugging Face datasets cache, then the embedded corpus; "embedded": datasets/embedded-samsum; {path}: a corpus folder, a split folder or one file.',
  anyOf: [
    { type: 'string', enum: ['samsum', 'embedded'] },
    {
      type: 'object', additionalProperties: false, required: ['path'],
      properties: {
        path: { type: 'string', minLength: 1, description: 'File or folder; relative to the working directory.' },
        format: { type: 'string', enum: FORMATS, description: 'Force a format instead of going by file extension.' },
      },
    },
  ],
};

const splitSchema = {
  description: 'The split name in the main source, or {from, split}: another source (split defaults to this key; ignored when the source is one file).',
  anyOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object', additionalProperties: false,
      properties: { from: sourceSchema, split: { type: 'string', minLength: 1 } },
    },
  ],
};

export const dataPrepConfigSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'data-prep stage config',
  type: 'object',
  additionalProperties: false,
  properties: {
    task: { type: 'string', pattern: '^[a-z][a-z0-9-]*$', default: 'summarisation', description: 'Task family (registered in src/task-registry.ts); downstream stages take it from the prepared folder\'s task.json.' },
    source: { ...sourceSchema, default: 'samsum' },
    splits: {
      type: 'object', additionalProperties: false, minProperties: 1,
      description: 'Which splits to produce and where each comes from. Defaults to train, validation and test from the source (all three required).',
      properties: splitProps(splitSchema),
    },
    fields: {
      type: 'object', additionalProperties: false, default: {},
      description: 'Column names in the source files.',
      properties: { id: str('id', 'Id column.'), dialogue: str('dialogue', 'Dialogue column.'), summary: str('summary', 'Summary column.') },
    },
    onInvalid: {
      type: 'string', enum: ['error', 'skip'], default: 'error',
      description: '"error": stop at the first bad row, naming file, line/row and field; "skip": leave bad rows out and list each (id, reason) in the manifest.',
    },
    normalise: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        lineEnds: { type: 'string', enum: ['lf', 'keep'], default: 'lf', description: '"lf": \\r\\n and \\r become \\n.' },
        whitespace: { type: 'string', enum: ['trim', 'collapse', 'keep'], default: 'trim', description: '"trim": strip the ends; "collapse": also squeeze spaces/tabs and trim each line.' },
        prefix: { type: 'string', default: 'summarize: ', description: 'Prepended to the model input (T5 recipe); not stored in the dialogue column.' },
        maxSourceLength: { type: 'integer', minimum: 2, default: 512, description: 'input_ids length cap, eos included.' },
        maxTargetLength: { type: 'integer', minimum: 2, default: 128, description: 'labels length cap, eos included.' },
      },
    },
    tokenizer: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        type: { type: 'string', enum: ['train', 'pretrained'], default: 'train' },
        path: { type: 'string', minLength: 1, description: 'tokenizer.json or a folder with tokenizer.json / spiece.model (type "pretrained").' },
        vocabSize: { type: 'integer', minimum: 8, maximum: 1048576, default: 4000, description: 'Trained vocabulary size, pad/eos/unk included (type "train").' },
        maxPieceLength: { type: 'integer', minimum: 1, maximum: 64, default: 16, description: 'Longest trained piece (type "train").' },
        extraIds: { type: 'integer', minimum: 0, maximum: 1000, description: 'T5 <extra_id_N> sentinels. Train: defaults to 0. Pretrained spiece.model: defaults to tokenizer_config.json (100 for T5).' },
      },
      if: { type: 'object', properties: { type: { const: 'pretrained' } }, required: ['type'] },
      then: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
    },
    maxRows: {
      type: 'object', additionalProperties: false,
      description: 'Keep only the first N rows of a split (quick runs).',
      properties: splitProps({ type: 'integer', minimum: 1 }),
    },
    seed: { type: 'integer', description: 'Recorded; data-prep itself draws no random numbers.' },
    image: imageDataConfigSchema,
    classification: {
      type: 'object', additionalProperties: false, required: ['dataset'],
      description: 'Task "text-classification": which dataset and how its texts become token ids.',
      properties: {
        dataset: { type: 'string', minLength: 1, description: 'banking77, sst2, sst5, imdb, or another registered classification dataset (src/tasks/text-classification/datasets.ts).' },
        vocabulary: { type: 'string', enum: ['word', 'bytes'], default: 'word', description: '"word": lower-cased whitespace words of train + the evaluation split (validation, else test), <pad> 0, <unk> 1, <cls> 2, <s> 3 (the CompeteSMoE fine-tuning vocabulary); "bytes": UTF-8 bytes, ids 0–255 (keep a byte-level LM\'s own vocabulary).' },
        maxLength: { type: 'integer', minimum: 1, default: 256, description: 'Tokens kept per example (the first ones).' },
        minCount: { type: 'integer', minimum: 1, default: 1, description: 'word: keep words seen at least this often in train + validation.' },
        maxVocabulary: { type: 'integer', minimum: 4, description: 'word: largest vocabulary, the 4 special tokens included (most frequent words first).' },
        boundaryTokens: { type: 'boolean', default: true, description: 'word: <cls> first and <s> last, as the reference (the head then reads <s>).' },
        path: { type: 'string', minLength: 1, description: 'An explicit copy of the dataset (else its BANKING77_DIR / SST2_DIR / SST5_DIR / IMDB_DIR, else the embedded BANKING77).' },
        imdb: {
          type: 'object', additionalProperties: false, description: 'IMDb review truncation (state it when reporting).',
          properties: { maxTokens: { type: 'integer', minimum: 1 }, maxChars: { type: 'integer', minimum: 1 } },
        },
      },
    },
    lm: {
      type: 'object', additionalProperties: false,
      description: 'task "language-modelling" only: the corpus (README "Language-modelling corpora"). The summarisation keys above are ignored by that task.',
      properties: {
        corpus: { type: 'string', enum: ['enwik8', 'text8', 'wikitext-2', 'wikitext-103'], default: 'enwik8' },
        source: {
          description: '"auto": ENWIK8_DIR / TEXT8_DIR / WIKITEXT_DIR, else (enwik8) the embedded slice; "embedded": datasets/embedded-enwik8; {path}: a file (raw, .gz, .zip) or folder.',
          default: 'auto',
          anyOf: [
            { type: 'string', enum: ['auto', 'embedded'] },
            { type: 'object', additionalProperties: false, required: ['path'], properties: { path: { type: 'string', minLength: 1 } } },
          ],
        },
        split: { type: 'string', enum: ['auto', 'standard', 'proportional'], default: 'auto', description: 'enwik8/text8: standard 90M/5M/5M for a complete file, else 90/5/5 from the end.' },
        splits: { type: 'array', items: { enum: ['train', 'valid', 'test'] }, uniqueItems: true, minItems: 1, description: 'WikiText: the split files that must exist.' },
      },
    },
  },
} as const;

/** Validate a config (a copy; defaults filled in) or throw with every problem listed. */
export function resolveConfig(raw: unknown, where = 'data-prep config'): DataPrepConfig {
  const cfg = structuredClone(raw ?? {}) as Record<string, unknown>;
  const problems = checkSchema(dataPrepConfigSchema, cfg);
  if (problems.length > 0) {
    throw new DataPrepError(`invalid config:\n  ${problems.join('\n  ')}`, { file: where });
  }
  return cfg as unknown as DataPrepConfig;
}
