#!/usr/bin/env node
// Makes artifacts/<pipeline>/<stage> point at the content-keyed output artifacts/stages/<key>,
// so a pipeline's results can be browsed by name while identical stages stay shared.
import { lstatSync, mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [pipeline, stage, key] = process.argv.slice(2);
if (!pipeline || !stage || !key) { process.stderr.write('usage: link-stage.mjs PIPELINE STAGE KEY\n'); process.exit(2); }
const root = resolve(new URL('../..', import.meta.url).pathname);
const dir = join(root, 'artifacts', pipeline);
mkdirSync(dir, { recursive: true });
const link = join(dir, stage);
const tmp = `${link}.tmp-${process.pid}`;
rmSync(tmp, { force: true });
symlinkSync(join('..', 'stages', key), tmp);
try { if (lstatSync(link).isDirectory() && !lstatSync(link).isSymbolicLink()) rmSync(link, { recursive: true }); } catch { /* absent */ }
renameSync(tmp, link);
