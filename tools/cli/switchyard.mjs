#!/usr/bin/env node
// The `switchyard` command line. Each subcommand lazily imports the compiled package that
// implements it, so `--help` is instant and a missing build is reported plainly.
import { Command, CommanderError } from 'commander';

const program = new Command();
program
  .name('switchyard')
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
    const p = loadPipeline(join(root, 'pipelines', `${pipelineName}.json`), root);
    const s = p.stages.find((x) => x.name === stageName);
    if (!s) throw new Error(`pipeline ${pipelineName} has no stage "${stageName}"; stages: ${p.stages.map((x) => x.name).join(', ')}`);
    const { runStage } = await load('@switchyard/runtime');
    await runStage({ ...stageSpec(s), pipeline: p.name }, { artifactsDir: join(root, 'artifacts'), backend: program.opts().backend });
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  process.stderr.write(`switchyard: ${e instanceof Error ? e.message : String(e)}\n`);
  if (process.env.SWITCHYARD_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
}
