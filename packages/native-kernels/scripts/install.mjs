#!/usr/bin/env node
// Best-effort build of the optional native addon. It must never fail `npm install`: with no
// compiler, no BLAS or no node-gyp, it prints why and exits 0, and Switchyard runs on WASM.
// SWITCHYARD_NATIVE=0 skips the build.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (m) => process.stderr.write(`@switchyard/native-kernels: ${m}\n`);

function nodeGyp() {
  // npm exports its bundled node-gyp to lifecycle scripts; otherwise look beside npm.
  const candidates = [process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js')];
  return candidates.find((c) => c && fs.existsSync(c));
}

function main() {
  if (process.env.SWITCHYARD_NATIVE === '0') return say('SWITCHYARD_NATIVE=0: not building');
  const gyp = nodeGyp();
  if (!gyp) return say('node-gyp not found: not building (WASM kernels will be used)');
  // Local Node headers (Debian's nodejs ships them) avoid a download on offline machines.
  const args = [gyp, 'rebuild'];
  if (fs.existsSync('/usr/include/node/node_api.h')) args.push('--nodedir=/usr');
  const r = spawnSync(process.execPath, args, { cwd: pkg, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 300_000 });
  if (r.status === 0) return say('built build/Release/switchyard_native.node (OpenBLAS + OpenMP kernels for the WASM backend)');
  const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-6).join('\n');
  say(`build failed (exit ${r.status ?? r.signal}); WASM kernels will be used. Needs a C compiler and libopenblas-dev.\n${tail}`);
}

try { main(); } catch (e) { say(`build skipped: ${e.message}`); }
process.exit(0);
