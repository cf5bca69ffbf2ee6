#!/usr/bin/env node
// Writes packages/<stage package>/schemas/stage-configs.json and
// packages/model-core/schemas/model-facts.json from the built packages (run `npm run build`
// first). Run after changing a stage's config schema, a router's options or a model preset;
// tools/test/stage-schemas.test.ts fails until you do.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatedFiles } from './stage-schemas.mjs';

const root = new URL('../..', import.meta.url).pathname;
const files = await generatedFiles();
for (const [rel, text] of Object.entries(files)) {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}
process.stdout.write(`wrote ${Object.keys(files).length} files: ${Object.keys(files).join(', ')}\n`);
