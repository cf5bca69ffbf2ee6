#!/usr/bin/env node
// Prints the README's "model vs published" table (build first: npx tsc -b packages/tsconfig.build.json).
// Usage: node packages/flops-profiler/scripts/published-table.mjs
import { comparisonMarkdown } from '../dist/comparison.js';

process.stdout.write(comparisonMarkdown() + '\n');
