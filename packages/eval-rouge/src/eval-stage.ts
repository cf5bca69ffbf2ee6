// The eval-rouge stage: generate a summary for every example of one prepared split with a
// checkpoint from an upstream stage, score the predictions with ROUGE (rouge_score 0.1.2 rules,
// HF evaluate aggregation) and write
//   predictions.arrow  id, prediction, reference, generated_ids (list<int32>), generated_tokens
//   scores.arrow       id, then <type>_precision / _recall / _fmeasure for every ROUGE type
//   rouge.json         the aggregate (mean and bootstrap low/mid/high), also in the manifest.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeTable, ProgressLine, stageInput, writeArrowFile, type StageDefinition } from '@switchyard/runtime';
import { generate, loadCheckpoint } from '@switchyard/model-core';
import { readPreparedSplit, readPreparedTokenizer } from '@switchyard/data-prep';
import { evalStageConfigSchema, generationSettings, resolveEvalConfig, type EvalStageConfig } from './eval-stage-config.js';
import { scoreCorpus, toPercentRows } from './score-corpus.js';

/** Right-pad id rows with pad 0 into [B, L] ids and the matching attention mask. */
function padBatch(rows: number[][]): { ids: tf.Tensor2D; mask: tf.Tensor2D } {
  const len = Math.max(1, ...rows.map((r) => r.length));
  const ids = new Int32Array(rows.length * len);
  const mask = new Float32Array(rows.length * len);
  rows.forEach((r, i) => { ids.set(r, i * len); mask.fill(1, i * len, i * len + r.length); });
  return { ids: tf.tensor2d(ids, [rows.length, len], 'int32'), mask: tf.tensor2d(mask, [rows.length, len]) };
}

/** Generated ids without the start token, cut at the first eos (which is not kept). */
function stripSequence(seq: number[], eos: number): number[] {
  const out: number[] = [];
  for (const t of seq.slice(1)) { if (t === eos) break; out.push(t); }
  return out;
}

export const evalRougeStage: StageDefinition<EvalStageConfig> = {
  name: 'eval-rouge',
  configSchema: evalStageConfigSchema as unknown as Record<string, unknown>,
  usesTensors: true,
  async run(ctx) {
    const cfg = resolveEvalConfig(ctx.config);
    const dataDir = stageInput(ctx, 'data-prep', 'prepared data');
    const ckptDir = stageInput(ctx, cfg.checkpointFrom, 'checkpoint');
    const split = readPreparedSplit(dataDir, cfg.split);
    const tokenizer = readPreparedTokenizer(dataDir);
    const n = Math.min(split.rows, cfg.maxExamples ?? split.rows);
    const gen = generationSettings(cfg);
    const model = await loadCheckpoint(ckptDir, { seed: ctx.seed });
    const eos = model.config.eos_token_id;
    const generated: number[][] = [];
    ctx.log(`summarising ${n} ${cfg.split} dialogues with ${cfg.checkpointFrom} (${gen.numBeams === 1 ? 'greedy' : `${gen.numBeams} beams`}, ≤ ${gen.maxNewTokens} tokens, batches of ${cfg.batchSize})`);
    // One line at most every 5 s (and the last): step, rate and ETA on a terminal or in a log.
    const progress = new ProgressLine({ total: n, what: 'generated', unit: 'dialogues', log: (m) => ctx.log(m) });
    try {
      for (let b = 0; b < n; b += cfg.batchSize) {
        const rows = split.inputIds.slice(b, Math.min(n, b + cfg.batchSize));
        const { ids, mask } = padBatch(rows);
        try {
          const r = generate(model, ids, mask, { maxNewTokens: gen.maxNewTokens, numBeams: gen.numBeams, lengthPenalty: gen.lengthPenalty, useCache: true });
          for (const s of r.sequences) generated.push(stripSequence(s, eos));
        } finally {
          tf.dispose([ids, mask]);
        }
        progress.update(generated.length);
      }
    } finally {
      model.dispose();
    }
    const predictions = generated.map((g) => tokenizer.decode(g));
    const references = split.summary.slice(0, n);
    const ids = split.id.slice(0, n);
    const scored = scoreCorpus(predictions, references, {
      stemmer: cfg.stemmer, splitSentences: cfg.splitSentences, bootstrap: cfg.bootstrap === false ? false : cfg.bootstrap,
    });

    writeArrowFile(join(ctx.outDir, 'predictions.arrow'), makeTable({
      id: { kind: 'utf8', values: ids },
      prediction: { kind: 'utf8', values: predictions },
      reference: { kind: 'utf8', values: references },
      generated_ids: { kind: 'list<int32>', values: generated },
      generated_tokens: { kind: 'int32', values: generated.map((g) => g.length) },
    }));
    const scoreCols: Record<string, { kind: 'utf8' | 'float64'; values: unknown[] }> = { id: { kind: 'utf8', values: ids } };
    for (const t of scored.aggregate.rougeTypes) {
      for (const f of ['precision', 'recall', 'fmeasure'] as const) {
        scoreCols[`${t}_${f}`] = { kind: 'float64', values: scored.perExample.map((e) => e.scores[t]![f]) };
      }
    }
    writeArrowFile(join(ctx.outDir, 'scores.arrow'), makeTable(scoreCols));
    const summary = { split: cfg.split, checkpointFrom: cfg.checkpointFrom, generation: gen, examples: n, aggregate: scored.aggregate, percent: toPercentRows(scored.aggregate) };
    writeFileSync(join(ctx.outDir, 'rouge.json'), `${JSON.stringify(summary, null, 2)}\n`);
    ctx.record('rouge', summary);
    const line = summary.percent.map((r) => `${r.type} ${(r.midF ?? r.meanF).toFixed(2)}`).join(' | ');
    ctx.log(`${n} examples | ${line}`);
  },
};
