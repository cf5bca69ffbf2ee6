#!/usr/bin/env node
// The `switchyard` command line. Each subcommand lazily imports the compiled package that
// implements it, so `--help` is instant and a missing build is reported plainly.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { formatFlopsTable } from './flops-table.mjs';

const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
const program = new Command();
program
  .name('switchyard')
  .version(version, '-V, --version', 'print the Switchyard version')
  .description('Mixture-of-Experts routing research: data prep, training, ROUGE, FLOPs, pipelines.')
  .option('--backend <name>', 'tensor backend: node-gpu, node, wasm, cpu (default: best available; env SWITCHYARD_BACKEND)')
  .showHelpAfterError('(run `switchyard --help` for usage)')
  .exitOverride();

async function load(pkg) {
  try {
    return await import(pkg);
  } catch (e) {
    throw new Error(`cannot load ${pkg} (${e.message}); run \`npm run build\` first`);
  }
}

/** Activate the backend named by --backend / SWITCHYARD_BACKEND (or the best one) and report it. */
async function backend() {
  const { initBackend } = await load('@switchyard/runtime');
  return initBackend(program.opts().backend);
}

program.command('backend')
  .description('activate the tensor backend and print which one and how many threads')
  .option('--json', 'print as JSON')
  .action(async (o) => {
    const info = await backend();
    process.stdout.write(o.json ? `${JSON.stringify(info)}\n` : `${info.name} (tfjs ${info.tfjsBackend} ${info.tfjsVersion}), ${info.threads} thread(s)\n`);
  });

program.command('stage')
  .description('run one pipeline stage outside Nx: switchyard stage PIPELINE STAGE')
  .argument('<pipeline>', 'pipeline name (pipelines/<name>.json)')
  .argument('<stage>', 'stage name within the pipeline')
  .action(async (pipelineName, stageName) => {
    const { createRequire } = await import('node:module');
    const { join, resolve } = await import('node:path');
    const require = createRequire(import.meta.url);
    const root = resolve(new URL('../..', import.meta.url).pathname);
    const { loadPipeline, stageSpec } = require(join(root, 'tools/pipeline/pipeline-model.cjs'));
    const { checkStages } = require(join(root, 'tools/pipeline/stage-checks.cjs'));
    const p = loadPipeline(join(root, 'pipelines', `${pipelineName}.json`), root);
    // The same checks as `nx run pipeline:<name>`: nothing runs from an invalid pipeline.
    const problems = checkStages(root, p.stages);
    if (problems.length) throw new Error(`${p.file}: invalid pipeline\n  ${problems.map((x) => `${p.file}: ${x}`).join('\n  ')}`);
    const s = p.stages.find((x) => x.name === stageName);
    if (!s) throw new Error(`pipeline ${pipelineName} has no stage "${stageName}"; stages: ${p.stages.map((x) => x.name).join(', ')}`);
    const { runStage } = await load('@switchyard/runtime');
    await runStage({ ...stageSpec(s), pipeline: p.name }, { artifactsDir: join(root, 'artifacts'), backend: program.opts().backend });
  });


const int = (name) => (v) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer, got "${v}"`);
  return n;
};

program.command('data-prep')
  .description('load, normalise and tokenise a corpus into Arrow splits (the data-prep stage, outside a pipeline)')
  .requiredOption('--config <file>', 'data-prep config JSON (see packages/data-prep/README.md)')
  .requiredOption('--out <dir>', 'output folder (replaced if it exists)')
  .action(async (o) => {
    const { runDataPrepCommand } = await load('@switchyard/data-prep');
    const r = await runDataPrepCommand({ config: o.config, out: o.out, log: (m) => process.stderr.write(`data-prep: ${m}\n`) });
    process.stdout.write(`${r.outDir}\n`);
  });

program.command('train')
  .description('fine-tune a base model with a fresh router in every sparse layer (the train stage, resumable)')
  .requiredOption('--data <dir>', 'data-prep output folder')
  .requiredOption('--base <dir>', 'base model: a base-model output or any HF checkpoint folder')
  .requiredOption('--config <file>', 'train config JSON (router, steps, optimiser; see packages/train/README.md)')
  .requiredOption('--out <dir>', 'output folder; checkpoints live in <out>/run')
  .option('--seed <n>', 'seed (default 42 unless the config sets one)', int('--seed'))
  .option('--no-resume', 'start over instead of continuing from the last good checkpoint')
  .action(async (o) => {
    const { runTrainCommand } = await load('@switchyard/train');
    const r = await runTrainCommand({ data: o.data, base: o.base, config: o.config, out: o.out, seed: o.seed, resume: o.resume, backend: program.opts().backend, log: (m) => process.stderr.write(`train: ${m}\n`) });
    process.stdout.write(`${r.modelDir}\n`);
  });

program.command('forward')
  .description('run an HF checkpoint on an inputs JSON and write every intermediate output (for parity checks)')
  .requiredOption('--checkpoint <dir>', 'folder with config.json + model.safetensors')
  .requiredOption('--inputs <file>', 'inputs JSON (layout of golden switch_tiny/inputs.json)')
  .requiredOption('--out <file>', 'outputs JSON (key names of golden outputs_*.json)')
  .action(async (o) => {
    await backend();
    const { runForwardCommand } = await load('@switchyard/model-core');
    await runForwardCommand({ checkpoint: o.checkpoint, inputs: o.inputs, out: o.out });
  });

program.command('generate')
  .description('greedy or beam decoding with an HF checkpoint on an inputs JSON')
  .requiredOption('--checkpoint <dir>', 'folder with config.json + model.safetensors')
  .requiredOption('--inputs <file>', 'inputs JSON: {input_ids, attention_mask?} as {shape, data} or nested lists, or just [[id, …], …]')
  .requiredOption('--max-new-tokens <n>', 'tokens to generate after the start token', int('--max-new-tokens'))
  .requiredOption('--out <file>', 'outputs JSON')
  .option('--num-beams <n>', 'beam width (1 = greedy)', int('--num-beams'), 1)
  .option('--no-cache', 'decode without the key/value cache (re-runs the prefix each step)')
  .action(async (o) => {
    await backend();
    const { runGenerateCommand } = await load('@switchyard/model-core');
    await runGenerateCommand({ checkpoint: o.checkpoint, inputs: o.inputs, maxNewTokens: o.maxNewTokens, out: o.out, numBeams: o.numBeams, useCache: o.cache });
  });

program.command('summarize')
  .description('summarise text with a trained model folder (it carries its tokenizer and input prefix)')
  .requiredOption('--model <dir>', 'model folder: artifacts/<pipeline>/train, base-model, or `switchyard train`\'s <out>/model')
  .option('--text <text>', 'one text (a dialogue) to summarise')
  .option('--input <file>', 'a .jsonl file (one {"id", "dialogue"} per line) or a .txt file (one text)')
  .option('--out <file>', 'write JSONL {"id", "summary"} here instead of printing')
  .option('--max-new-tokens <n>', 'longest summary in tokens', int('--max-new-tokens'), 64)
  .option('--num-beams <n>', 'beam width (1 = greedy)', int('--num-beams'), 1)
  .option('--batch-size <n>', 'texts decoded together', int('--batch-size'), 16)
  .option('--tokenizer <file>', 'tokenizer.json for a model folder without one')
  .option('--prefix <text>', 'input prefix instead of the folder\'s ("summarize: ")')
  .action(async (o) => {
    if (o.numBeams < 1 || o.batchSize < 1) throw new InvalidArgumentError('--num-beams and --batch-size must be at least 1');
    const { runSummarizeCommand } = await load('@switchyard/train');
    const r = await runSummarizeCommand({ model: o.model, text: o.text, input: o.input, out: o.out, maxNewTokens: o.maxNewTokens, numBeams: o.numBeams, batchSize: o.batchSize, tokenizer: o.tokenizer, prefix: o.prefix, backend: program.opts().backend });
    if (o.out) process.stdout.write(`${r.length} summar${r.length === 1 ? 'y' : 'ies'} → ${o.out}\n`);
    else if (o.text !== undefined) process.stdout.write(`${r[0].summary}\n`);
    else for (const x of r) process.stdout.write(`${JSON.stringify(x)}\n`);
  });

program.command('rouge')
  .description('ROUGE-1/2/L/Lsum exactly as rouge_score 0.1.2 on prediction/reference files (JSONL or plain text)')
  .requiredOption('--predictions <file>', 'JSONL {"id","prediction"} (may also carry "reference"), or one prediction per line')
  .option('--references <file>', 'JSONL {"id","reference"}, or one reference per line')
  .option('--no-stemmer', 'do not Porter-stem tokens')
  .option('--json', 'machine-readable output (fractions, not ×100)')
  .option('--split-sentences <mode>', 'rule-based sentence split before rougeLsum: none, predictions, both', 'none')
  .option('--seed <n>', 'bootstrap seed (numpy legacy MT19937)', int('--seed'), 42)
  .option('--no-bootstrap', 'skip the bootstrap interval')
  .action(async (o) => {
    if (!['none', 'predictions', 'both'].includes(o.splitSentences)) throw new InvalidArgumentError(`--split-sentences must be none, predictions or both, got "${o.splitSentences}"`);
    const { runRougeCommand } = await load('@switchyard/eval-rouge/scoring');
    process.exitCode = await runRougeCommand({ predictions: o.predictions, references: o.references, stemmer: o.stemmer, json: !!o.json, splitSentences: o.splitSentences, seed: o.seed, bootstrap: o.bootstrap });
  });

program.command('flops')
  .description('analytic FLOPs per routing strategy (optionally measured MoE-layer time) → flops.arrow + plots')
  .requiredOption('--out <dir>', 'output folder')
  .option('--config <file>', 'flops-profiler stage config JSON')
  .option('--model <preset|config.json>', 'switch-base-8, switch-base-16, tiny, or an HF config.json path')
  .option('--source-length <n>', 'source tokens', int('--source-length'))
  .option('--target-length <n>', 'target tokens (teacher-forced)', int('--target-length'))
  .option('--routing <path...>', 'routing.arrow files (or folders holding one) with measured active experts per token')
  .option('--measure', 'time one MoE layer per router on the current backend')
  .option('--seed <n>', 'stage seed (default 0; a seed in --config wins)', int('--seed'))
  .action(async (o) => {
    const { existsSync } = await import('node:fs');
    const { runFlopsCommand } = await load('@switchyard/flops-profiler');
    const { parseJsonFile } = await load('@switchyard/runtime');
    const config = o.config ? parseJsonFile(o.config) : undefined;
    const model = o.model && o.model.endsWith('.json') && existsSync(o.model) ? parseJsonFile(o.model) : o.model;
    const r = await runFlopsCommand({ out: o.out, config, model, sourceLength: o.sourceLength, targetLength: o.targetLength, routing: o.routing, measure: o.measure, seed: o.seed, backend: program.opts().backend });
    process.stdout.write(formatFlopsTable(r.rows));
    process.stdout.write(`written to ${r.outDir}: ${r.files.join(', ')}\n`);
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  process.stderr.write(`switchyard: ${e instanceof Error ? e.message : String(e)}\n`);
  if (process.env.SWITCHYARD_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
}
