// Config of the eval stage (JSON Schema 2020-12, unknown keys rejected): the split and example
// cap of every task, then the summarisation evaluator's generation and ROUGE settings.
// Generation presets: `study` is what the SparTMoE gating study ran (docs/routers.md §5): HF
// Seq2SeqTrainer's predict_with_generate with no generation settings, i.e. greedy search under the
// library default max_length = 20, which counts the decoder start token — at most 19 new tokens.
import { assertSchema } from '@switchyard/runtime';

export const GENERATION_PRESETS = {
  study: { numBeams: 1, maxNewTokens: 19, lengthPenalty: 1 },
  greedy: { numBeams: 1, maxNewTokens: 64, lengthPenalty: 1 },
  beam4: { numBeams: 4, maxNewTokens: 64, lengthPenalty: 1 },
} as const;

export type GenerationPreset = keyof typeof GENERATION_PRESETS;

export interface EvalStageConfig {
  /** Task family; default (and it must agree): the task the data input was prepared for. */
  task?: string;
  split: 'test' | 'validation' | 'train';
  preset: GenerationPreset;
  numBeams?: number;
  maxNewTokens?: number;
  lengthPenalty?: number;
  batchSize: number;
  maxExamples?: number;
  stemmer: boolean;
  splitSentences: 'none' | 'predictions' | 'both';
  bootstrap: { samples?: number; confidence?: number; seed?: number } | false;
  /** The language-modelling evaluator's settings (src/tasks/language-modelling.ts); ignored by other tasks. */
  lm?: { splits?: ('validation' | 'test')[]; batchSize?: number; maxBlocks?: number; evalK?: (number | 'all')[] };
}

export const evalStageConfigSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'eval-rouge stage config',
  description: 'Generate summaries of one prepared split with a checkpoint and score them with ROUGE as rouge_score 0.1.2 (aggregated as HF evaluate).',
  type: 'object',
  additionalProperties: false,
  properties: {
    task: { type: 'string', pattern: '^[a-z][a-z0-9-]*$', description: 'Task family; by default the one the data input was prepared for (its task.json). The model comes from the "checkpoint" input role.' },
    split: { enum: ['test', 'validation', 'train'], default: 'test', description: 'Prepared split of the data-prep input to evaluate.' },
    preset: { enum: Object.keys(GENERATION_PRESETS), default: 'study', description: 'study: greedy, ≤ 19 new tokens (HF max_length 20 incl. start token); greedy: ≤ 64; beam4: 4 beams, ≤ 64.' },
    numBeams: { type: 'integer', minimum: 1, description: 'Overrides the preset.' },
    maxNewTokens: { type: 'integer', minimum: 1, description: 'Overrides the preset.' },
    lengthPenalty: { type: 'number', description: 'Beam score = Σ log p / length^lengthPenalty. Overrides the preset.' },
    batchSize: { type: 'integer', minimum: 1, default: 32, description: 'Dialogues decoded together.' },
    maxExamples: { type: 'integer', minimum: 1, description: 'Evaluate only the first N examples of the split (default: all).' },
    stemmer: { type: 'boolean', default: true, description: 'Porter-stem tokens longer than 3 characters (the HF summarisation recipe uses use_stemmer=True).' },
    splitSentences: { enum: ['none', 'predictions', 'both'], default: 'none', description: 'Rule-based sentence splitting (newline-joined) before ROUGE-Lsum; HF\'s recipe does this with nltk punkt.' },
    lm: {
      type: 'object', additionalProperties: false,
      description: 'task "language-modelling" only (the generation and ROUGE keys are ignored by it): BPC (enwik8, text8) or PPL (WikiText) over all complete blocks with the cache.',
      properties: {
        splits: { type: 'array', items: { enum: ['validation', 'test'] }, uniqueItems: true, minItems: 1, description: 'Splits evaluated (default validation and test); `split` is the headline.' },
        batchSize: { type: 'integer', minimum: 1, description: 'Parallel rows the stream is cut into (default 8, the reference\'s full evaluation).' },
        maxBlocks: { type: 'integer', minimum: 1, description: 'Stop after this many blocks per row (a quick estimate; default all complete blocks).' },
        evalK: { type: 'array', items: { anyOf: [{ type: 'integer', minimum: 1 }, { const: 'all' }] }, uniqueItems: true, description: 'Also evaluate `split` with k experts per token in every MoE layer (the router\'s evalK option, else its topK), e.g. [1, 2, 4, "all"] for SMoE-Dropout\'s self-slimmable inference; one extra metric each.' },
      },
    },
    bootstrap: {
      description: 'rouge_score BootstrapAggregator settings, or false.',
      default: { samples: 1000, confidence: 0.95, seed: 42 },
      oneOf: [
        { const: false },
        {
          type: 'object', additionalProperties: false,
          properties: {
            // no defaults inside oneOf (ajv ignores them); bootstrap.ts fills 1000 / 0.95 / 42
            samples: { type: 'integer', minimum: 1 },
            confidence: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
            seed: { type: 'integer', minimum: 0 },
          },
        },
      ],
    },
  },
} as const;

export function resolveEvalConfig(raw: unknown, where = 'eval-rouge config'): EvalStageConfig {
  const c = structuredClone(raw ?? {});
  assertSchema(evalStageConfigSchema, c, where);
  return c as EvalStageConfig;
}

export function generationSettings(c: EvalStageConfig): { numBeams: number; maxNewTokens: number; lengthPenalty: number } {
  const p = GENERATION_PRESETS[c.preset];
  return { numBeams: c.numBeams ?? p.numBeams, maxNewTokens: c.maxNewTokens ?? p.maxNewTokens, lengthPenalty: c.lengthPenalty ?? p.lengthPenalty };
}
