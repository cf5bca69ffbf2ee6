// `switchyard rouge --predictions FILE [--references FILE] [--no-stemmer] [--json]`:
// score files produced anywhere. The CLI parser (commander) lives with the integrator and calls
// runRougeCommand; packages/eval-rouge/bin/rouge.mjs is a stand-alone entry with the same flags.
import { pairExamples, readInputFile, RougeInputError, type PairedExample } from './read-examples.js';
import { scoreCorpus, toPercentRows, type CorpusScores, type SentenceSplitMode } from './score-corpus.js';
import type { RougeType } from './types.js';

export interface RougeCommandOptions {
  /** Predictions file (JSONL or plain text); may also carry the references. */
  predictions: string;
  /** References file; omit when the predictions file has `reference`/`references` fields. */
  references?: string;
  /** Porter stemming (the CLI's default; `--no-stemmer` turns it off). */
  stemmer: boolean;
  /** Machine-readable output (raw fractions) instead of the text report (×100). */
  json: boolean;
  /** Rule-based sentence splitting before rougeLsum. Defaults to 'none'. */
  splitSentences?: SentenceSplitMode;
  /** Bootstrap seed. Defaults to 42. */
  seed?: number;
  /** Compute the bootstrap interval (the bulk of the time on large files). Defaults to true. */
  bootstrap?: boolean;
  /** Defaults to process.stdout. */
  out?: NodeJS.WritableStream;
  /** Where error messages go. Defaults to process.stderr. */
  err?: NodeJS.WritableStream;
}

function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (e?: Error | null) => (e ? reject(e) : resolve()));
  });
}

const pct = (v: number): string => (100 * v).toFixed(2);

/** Text report: one line of F×100 per example, then the aggregate table (×100, as HF scripts print). */
export function formatTextReport(examples: readonly PairedExample[], result: CorpusScores): string {
  const { aggregate: agg } = result;
  const types: readonly RougeType[] = agg.rougeTypes;
  const lines: string[] = [];
  lines.push(['id', ...types.map((t) => `${t}_f`)].join('\t'));
  result.perExample.forEach((e, i) => {
    lines.push([examples[i]!.id, ...types.map((t) => pct(e.scores[t]!.fmeasure))].join('\t'));
  });
  lines.push('');
  const boot = agg.bootstrapOptions;
  lines.push(`ROUGE over ${agg.count} examples, stemmer ${agg.stemmer ? 'on' : 'off'}, scores x100`
    + (boot ? `; bootstrap ${boot.samples} resamples, ${Math.round(boot.confidence * 100)}% interval, seed ${boot.seed} (${boot.generator})` : ''));
  lines.push(['type', 'mean_F', 'low_F', 'mid_F', 'high_F', 'mid_P', 'mid_R'].join('\t'));
  const fmt = (v: number | null): string => (v === null ? '-' : v.toFixed(2));
  for (const r of toPercentRows(agg)) {
    lines.push([r.type, fmt(r.meanF), fmt(r.lowF), fmt(r.midF), fmt(r.highF), fmt(r.midP), fmt(r.midR)].join('\t'));
  }
  return lines.join('\n') + '\n';
}

/** JSON report: exact rouge_score values (fractions in [0, 1], not ×100). */
export function formatJsonReport(examples: readonly PairedExample[], result: CorpusScores): string {
  return JSON.stringify({
    examples: result.perExample.map((e, i) => ({
      id: examples[i]!.id,
      ...e.scores,
      ...(examples[i]!.references.length > 1 ? { referenceIndex: e.referenceIndex } : {}),
    })),
    aggregate: result.aggregate,
  }) + '\n';
}

/** Run the rouge subcommand; resolves to the process exit code (0 ok, 1 bad input). */
export async function runRougeCommand(opts: RougeCommandOptions): Promise<number> {
  const out = opts.out ?? process.stdout;
  const err = opts.err ?? process.stderr;
  try {
    const preds = await readInputFile(opts.predictions, 'prediction');
    const refs = opts.references === undefined ? undefined : await readInputFile(opts.references, 'reference');
    const examples = pairExamples(preds, refs);
    const result = scoreCorpus(
      examples.map((e) => e.prediction),
      examples.map((e) => (e.references.length === 1 ? e.references[0]! : e.references)),
      { stemmer: opts.stemmer, splitSentences: opts.splitSentences ?? 'none', bootstrap: opts.bootstrap === false ? false : { seed: opts.seed ?? 42 } },
    );
    await write(out, opts.json ? formatJsonReport(examples, result) : formatTextReport(examples, result));
    return 0;
  } catch (e) {
    if (e instanceof RougeInputError) {
      await write(err, `switchyard rouge: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
