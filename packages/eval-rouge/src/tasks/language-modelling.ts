// The language-modelling evaluator: the checkpoint's DecoderLM (model-core lm-checkpoint.ts) on
// the prepared token streams, with model-core's evaluateLm (lm-eval.ts) — the reference's full
// evaluation: each split cut into `lm.batchSize` rows (default 8), every complete block of
// blockSize positions read in order with the cache carried, eval mode. Bits per character
// (enwik8, text8: BPC = mean NLL / ln 2) or perplexity (WikiText: PPL = exp(mean NLL)); lower is
// better. The metric record holds one metric per evaluated split (`test_bpc`, `valid_bpc`; the
// config's `split` is the headline) plus, when `lm.evalK` is set, `<split>_bpc_k<k>`: the headline
// split with k experts per token in every MoE layer (the router's `evalK` option, SMoE-Dropout's
// self-slimmable inference, else its `topK`). There is no per-run interval (every complete block
// is evaluated; the test stream is one sample of text); across seeds the report gives mean ±
// sample std. Outputs: lm-eval.json (nll, bpc, ppl, tokens, blocks per evaluation).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@switchyard/tensor-engine';
import { evaluateLm, loadLmCheckpoint, type LmEvalResult } from '@switchyard/model-core';
import { readLmCorpusInfo, readLmSplit } from '@switchyard/data-prep';
import type { Evaluator } from '../evaluator-registry.js';
import type { MetricRecord, MetricSpec } from '../metric-record.js';

const SHORT: Record<string, string> = { validation: 'valid', test: 'test' };

export const languageModellingEvaluator: Evaluator = {
  task: 'language-modelling',
  async evaluate(a): Promise<MetricRecord> {
    const cfg = a.config;
    const lm = cfg.lm ?? {};
    if (cfg.split === 'train') throw new Error('language-modelling eval: "split" must be "validation" or "test"');
    const splits = [...new Set([...(lm.splits ?? ['validation', 'test']), cfg.split])];
    const info = readLmCorpusInfo(a.dataDir);
    const metric = info.metric;
    const unit = metric === 'bpc' ? 'BPC' : 'PPL';
    const pick = (r: LmEvalResult) => (metric === 'bpc' ? r.bpc : r.ppl);
    const model = loadLmCheckpoint(a.checkpointDir, new Rng(a.seed).fork('eval/lm'));
    const results: Record<string, LmEvalResult & { split: string; routerOptions?: Record<string, unknown> }> = {};
    const metrics: MetricSpec[] = [];
    const spec = (name: string, label: string, value: number): MetricSpec => ({ name, label, higherIsBetter: false, value, scale: 1, digits: metric === 'bpc' ? 4 : 2, interval: null, overSeeds: 'mean-sample-std' });
    const started = Date.now();
    try {
      // The k evaluations are checked before any work: which router option sets k, and its values.
      const router = model.moeLayers()[0]?.router;
      const kRuns = (lm.evalK ?? []).map((k) => {
        if (!router) throw new Error('language-modelling eval: lm.evalK needs MoE layers; this model has none');
        const kk = k === 'all' ? model.config.numExperts : k;
        if (kk > model.config.numExperts) throw new Error(`language-modelling eval: lm.evalK ${k} exceeds the model's ${model.config.numExperts} experts`);
        const key = 'evalK' in router.options ? 'evalK' : 'topK' in router.options ? 'topK' : undefined;
        if (!key) throw new Error(`language-modelling eval: router "${router.type}" has neither an "evalK" nor a "topK" option, so lm.evalK cannot set its k`);
        return { k, kk, key, routerOptions: { [key]: kk } };
      });
      const opts = { batchSize: lm.batchSize ?? 8, maxBlocks: lm.maxBlocks };
      const streams = new Map(splits.map((s) => [s, readLmSplit(a.dataDir, s)]));
      // Headline split first, so it leads the report's columns.
      for (const split of [cfg.split, ...splits.filter((s) => s !== cfg.split)]) {
        const r = evaluateLm(model, streams.get(split)!, opts);
        const name = `${SHORT[split]}_${metric}`;
        results[name] = { ...r, split };
        metrics.push(spec(name, `${SHORT[split]} ${unit}`, pick(r)));
        a.log(`${split}: ${unit} ${pick(r).toFixed(4)} (NLL ${r.nll.toFixed(5)} nats over ${r.tokens.toLocaleString('en-US')} tokens, ${r.blocks} blocks × ${r.batchSize} rows × ${r.blockSize})`);
      }
      for (const { k, kk, key, routerOptions } of kRuns) {
        const r = evaluateLm(model, streams.get(cfg.split)!, { ...opts, routerOptions });
        const name = `${SHORT[cfg.split]}_${metric}_k${k === 'all' ? 'all' : k}`;
        results[name] = { ...r, split: cfg.split, routerOptions };
        metrics.push(spec(name, `${SHORT[cfg.split]} ${unit} k=${k === 'all' ? `all (${kk})` : k}`, pick(r)));
        a.log(`${cfg.split} with ${key} ${kk}: ${unit} ${pick(r).toFixed(4)}`);
      }
    } finally {
      model.dispose();
    }
    writeFileSync(join(a.outDir, 'lm-eval.json'), `${JSON.stringify({ corpus: info.kind, metric, results }, null, 2)}\n`);
    a.record('lm', { corpus: info.kind, metric, results, seconds: (Date.now() - started) / 1000 });
    const headline = metrics[0]!;
    return {
      task: 'language-modelling', split: cfg.split, examples: results[headline.name]!.tokens, primary: headline.name, metrics,
      report: {
        valueNote: `${metric === 'bpc' ? 'Bits per character' : 'Perplexity'} (${info.kind}; lower is better) over all complete blocks of each split, read in order with the cache`,
        intervalNote: 'No per-run interval is computed (every complete block is evaluated)',
        intervalName: 'interval',
        axisTitle: `${SHORT[cfg.split]} ${unit} (lower is better)`,
        plotName: `${metric}-vs-flops`,
        method: [
          `${unit}: model-core evaluateLm — the split cut into ${lm.batchSize ?? 8} rows, each read in consecutive blocks of the model's blockSize with the cache carried (eval mode); mean NLL over every predicted position of the complete blocks; ${metric === 'bpc' ? 'BPC = NLL / ln 2' : 'PPL = exp(NLL)'}.`,
          ...(lm.evalK?.length ? [`k=…: the same on the ${cfg.split} split with every MoE layer's router rebuilt with k experts per token (its evalK option, else topK) and the trained router weights.`] : []),
          `Data: ${info.kind} (${info.unit}s), split rule ${info.splitRule}, source ${info.source.notice.replace(/^data source: /, '')}.`,
        ],
      },
    };
  },
};
