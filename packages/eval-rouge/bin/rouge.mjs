#!/usr/bin/env node
// Stand-alone entry for `switchyard rouge` until the commander-based CLI wires it:
//   node packages/eval-rouge/bin/rouge.mjs --predictions FILE [--references FILE]
//        [--no-stemmer] [--json] [--split-sentences none|predictions|both] [--seed N] [--no-bootstrap]
// Needs the built package (`npx tsc -b packages/tsconfig.build.json`).
// The scoring-only entry: dist/index.js also exports the generation stage, whose tfjs import
// would add about a second to every start-up.
import { runRougeCommand } from '../dist/scoring.js';

const USAGE = 'usage: rouge --predictions FILE [--references FILE] [--no-stemmer] [--json] '
  + '[--split-sentences none|predictions|both] [--seed N] [--no-bootstrap]\n';

/** Minimal argv parser: unknown flags and missing values are errors (exit code 2). */
function parseArgs(argv) {
  const opts = { stemmer: true, json: false };
  const valueOf = (i, flag) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const take = () => (inline !== undefined ? inline : valueOf(i++, flag));
    switch (flag) {
      case '--predictions': opts.predictions = take(); break;
      case '--references': opts.references = take(); break;
      case '--no-stemmer': opts.stemmer = false; break;
      case '--stemmer': opts.stemmer = true; break;
      case '--json': opts.json = true; break;
      case '--no-bootstrap': opts.bootstrap = false; break;
      case '--split-sentences': {
        const v = take();
        if (!['none', 'predictions', 'both'].includes(v)) throw new Error(`--split-sentences must be none, predictions or both, got "${v}"`);
        opts.splitSentences = v;
        break;
      }
      case '--seed': {
        const v = Number(take());
        if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error('--seed must be an integer in [0, 2^32-1]');
        opts.seed = v;
        break;
      }
      case '-h': case '--help': process.stdout.write(USAGE); process.exit(0); break;
      default: throw new Error(`unknown option "${argv[i]}"`);
    }
  }
  if (opts.predictions === undefined) throw new Error('--predictions is required');
  return opts;
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`rouge: ${e.message}\n${USAGE}`);
  process.exit(2);
}
// `rouge ... | head` closes the pipe early: stop quietly instead of printing a stack trace.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
process.exitCode = await runRougeCommand(opts);
