// The summarisation evaluator (the eval stage's work for the summarisation task): generate a
// summary for every example of one prepared split with the checkpoint, score the predictions
// with ROUGE (rouge_score 0.1.2 rules, HF evaluate aggregation) and write
//   predictions.arrow  id, prediction, reference, generated_ids (list<int32>), generated_tokens
//   scores.arrow       id, then <type>_precision / _recall / _fmeasure for every ROUGE type
//   rouge.json         the aggregate (mean and bootstrap low/mid/high), also in the manifest,
// and return the metric record: ROUGE-1/2/L/Lsum F-measure ×100 (means of scores.arrow's
// `<type>_fmeasure` columns) with their bootstrap intervals, ROUGE-L the headline.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeTable, ProgressLine, writeArrowFile } from '@switchyard/runtime';
import { generate, loadCheckpoint } from '@switchyard/model-core';
import { readPreparedSplit, readPreparedTokenizer } from '@switchyard/data-prep';
import { generationSettings } from '../eval-stage-config.js';
import { scoreCorpus, toPercentRows, type CorpusAggregate } from '../score-corpus.js';
import type { Evaluator } from '../evaluator-registry.js';
import type { MetricRecord } from '../metric-record.js';
import { DEFAULT_ROUGE_TYPES } from '../types.js';

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

const ROUGE_LABEL: Record<string, string> = { rouge1: 'ROUGE-1', rouge2: 'ROUGE-2', rougeL: 'ROUGE-L', rougeLsum: 'ROUGE-Lsum' };

/** The metric record of a scored split: the F-measure of each default ROUGE type. */
export function summarisationMetricRecord(split: string, examples: number, aggregate: Pick<CorpusAggregate, 'bootstrap'>): MetricRecord {
  const boot = aggregate.bootstrap as Record<string, { low: { fmeasure: number }; high: { fmeasure: number } }> | null | undefined;
  return {
    task: 'summarisation', split, examples, primary: 'rougeL',
    metrics: DEFAULT_ROUGE_TYPES.map((t) => ({
      name: t, label: ROUGE_LABEL[t]!, higherIsBetter: true,
      perExample: { file: 'scores.arrow', column: `${t}_fmeasure` }, scale: 100, digits: 2,
      interval: boot?.[t] ? { low: boot[t]!.low.fmeasure, high: boot[t]!.high.fmeasure } : null,
      overSeeds: 'mean-sample-std',
    })),
    report: {
      valueNote: 'ROUGE F-measure ×100 on the eval split',
      intervalNote: 'Each eval stage bootstraps its own 95% interval of the mean F-measure over examples',
      intervalName: 'bootstrap',
      axisTitle: 'ROUGE-L F (×100)',
      plotName: 'rouge-vs-flops',
      method: [
        'ROUGE: per run, the mean over examples of the `<type>_fmeasure` column of the eval stage\'s scores.arrow, ×100; per strategy, mean and sample std (n − 1) over seeds.',
        'Bootstrap bounds: `aggregate.bootstrap.<type>.low/high.fmeasure` of the eval stage\'s rouge.json, ×100, averaged over seeds.',
        'Base ROUGE: the same from the `eval-base` stage (the untuned base model).',
      ],
    },
  };
}

export const summarisationEvaluator: Evaluator = {
  task: 'summarisation',
  async evaluate(ctx) {
    const cfg = ctx.config;
    const dataDir = ctx.dataDir;
    const ckptDir = ctx.checkpointDir;
    const split = readPreparedSplit(dataDir, cfg.split);
    const tokenizer = readPreparedTokenizer(dataDir);
    const n = Math.min(split.rows, cfg.maxExamples ?? split.rows);
    const gen = generationSettings(cfg);
    const model = await loadCheckpoint(ckptDir, { seed: ctx.seed });
    const eos = model.config.eos_token_id;
    const generated: number[][] = [];
    ctx.log(`summarising ${n} ${cfg.split} dialogues (${gen.numBeams === 1 ? 'greedy' : `${gen.numBeams} beams`}, ≤ ${gen.maxNewTokens} tokens, batches of ${cfg.batchSize})`);
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
    const summary = { split: cfg.split, generation: gen, examples: n, aggregate: scored.aggregate, percent: toPercentRows(scored.aggregate) };
    writeFileSync(join(ctx.outDir, 'rouge.json'), `${JSON.stringify(summary, null, 2)}\n`);
    ctx.record('rouge', summary);
    const line = summary.percent.map((r) => `${r.type} ${(r.midF ?? r.meanF).toFixed(2)}`).join(' | ');
    ctx.log(`${n} examples | ${line}`);
    return summarisationMetricRecord(cfg.split, n, scored.aggregate);
  },
};
