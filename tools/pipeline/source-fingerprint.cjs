#!/usr/bin/env node
// Nx `runtime` input of data-prep stages: a fingerprint of the corpus files the stage may read
// that live outside the workspace (SAMSUM_DIR, BANKING77_DIR/SST2_DIR/SST5_DIR/IMDB_DIR, the LM corpora's ENWIK8_DIR / TEXT8_DIR /
// WIKITEXT_DIR, the Hugging Face datasets cache, explicit paths in the config, FASHION_MNIST_DIR and
// /usr/share/datasets/fashion-mnist), so pointing SAMSUM_DIR elsewhere or editing those files invalidates the cached
// stage. Files are fingerprinted by path, size and modification time (cheap, no reading).
'use strict';
const { existsSync, readdirSync, statSync } = require('node:fs');
const { homedir } = require('node:os');
const { join, resolve } = require('node:path');
const { decodeSpec } = require('./pipeline-model.cjs');

const lines = [];
function walk(p, depth = 0) {
  if (!existsSync(p) || depth > 6) return;
  const st = statSync(p);
  if (st.isDirectory()) { for (const n of readdirSync(p).sort()) walk(join(p, n), depth + 1); return; }
  lines.push(`${p}\t${st.size}\t${Math.floor(st.mtimeMs)}`);
}
function paths(v, out = []) {
  if (Array.isArray(v)) v.forEach((x) => paths(x, out));
  else if (v && typeof v === 'object') { if (typeof v.path === 'string') out.push(v.path); Object.values(v).forEach((x) => paths(x, out)); }
  return out;
}

const config = process.argv[2] ? decodeSpec(process.argv[2]) : {};
for (const p of paths(config)) walk(resolve(p));
// Every data source variable: SAMSum, the classification datasets, Fashion-MNIST and the LM corpora.
const DATA_DIRS = ['SAMSUM_DIR', 'BANKING77_DIR', 'SST2_DIR', 'SST5_DIR', 'IMDB_DIR', 'FASHION_MNIST_DIR', 'ENWIK8_DIR', 'TEXT8_DIR', 'WIKITEXT_DIR'];
const env = [...DATA_DIRS, 'HF_DATASETS_CACHE', 'HF_HOME'];
for (const k of env) lines.push(`env ${k}=${process.env[k] ?? ''}`);
for (const k of DATA_DIRS) if (process.env[k]) walk(resolve(process.env[k]));
// Fashion-MNIST (image-classification task): Debian's dataset-fashion-mnist folder too.
walk('/usr/share/datasets/fashion-mnist');
const hfCache = process.env.HF_DATASETS_CACHE || join(process.env.HF_HOME || join(homedir(), '.cache', 'huggingface'), 'datasets');
if (existsSync(hfCache)) for (const n of readdirSync(hfCache).sort()) if (/samsum/i.test(n)) walk(join(hfCache, n));
process.stdout.write(`${lines.join('\n')}\n`);
