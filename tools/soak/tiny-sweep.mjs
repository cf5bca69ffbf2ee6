// A seconds-long gating sweep on the micro preset, for the kill -9 tests and the soak
// (tools/soak/kill-soak.mjs): data-prep on a slice of the embedded corpus, a micro base model, two
// routers × two seeds of `train` (checkpoints every few steps, so a kill lands between two),
// eval-rouge on 12 test rows, and the sweep report. `nonce` goes into data-prep's config (its
// recorded `seed`), so a fresh nonce gives fresh content keys: nothing cached, and every stage
// downstream gets a new key too.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function tinyPipeline(nonce, router, { trainSteps = 60, checkpointEvery = 5 } = {}) {
  return {
    description: `kill -9 test pipeline (nonce ${nonce}, ${router})`,
    seed: 5,
    stages: {
      'data-prep': { package: '@switchyard/data-prep', stage: 'data-prep', config: { source: 'embedded', seed: nonce, maxRows: { train: 48 + (nonce % 16), validation: 8, test: 12 }, tokenizer: { vocabSize: 200 } } },
      'base-model': { package: '@switchyard/train', stage: 'base-model', inputs: { data: 'data-prep' }, config: { preset: 'micro', steps: 20, batchSize: 8, checkpointEvery: 5, logEvery: 5 } },
      train: { package: '@switchyard/train', stage: 'train', inputs: { data: 'data-prep', base: 'base-model' }, config: { router: { type: router }, steps: trainSteps, batchSize: 8, checkpointEvery, logEvery: 5, optimizer: { lr: 0.001 } } },
      'eval-rouge': { package: '@switchyard/eval-rouge', stage: 'eval-rouge', inputs: { data: 'data-prep', checkpoint: 'train' }, config: { maxNewTokens: 6, bootstrap: { samples: 50 } } },
      // The sweep replaces it with its own report; its inputs say which stage plays which role.
      report: { package: '@switchyard/report', stage: 'report', inputs: { data: 'data-prep', base: 'base-model', model: 'train', eval: 'eval-rouge' }, config: { plots: false } },
    },
  };
}

/** Write pipelines/<prefix>-<router>.json for each router and pipelines/sweeps/<prefix>.json. Returns the file paths. */
export function writeTinySweep(root, prefix, nonce, routers = ['linear-sparsemax', 'linear-softmax-topk'], seeds = [1, 2], opts = {}) {
  const files = [];
  const names = [];
  for (const r of routers) {
    const name = `${prefix}-${r}`;
    const f = join(root, 'pipelines', `${name}.json`);
    writeFileSync(f, JSON.stringify(tinyPipeline(nonce, r, opts), null, 2) + '\n');
    files.push(f);
    names.push(name);
  }
  mkdirSync(join(root, 'pipelines', 'sweeps'), { recursive: true });
  const sw = join(root, 'pipelines', 'sweeps', `${prefix}.json`);
  writeFileSync(sw, JSON.stringify({ description: 'kill -9 test sweep', pipelines: names, seeds, seededStages: ['train', 'eval-rouge'], report: { package: '@switchyard/report', stage: 'report', config: { title: 'kill -9 soak', plots: false } } }, null, 2) + '\n');
  files.push(sw);
  return files;
}

export function removeFiles(files) { for (const f of files) rmSync(f, { force: true }); }
