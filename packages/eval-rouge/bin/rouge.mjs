#!/usr/bin/env node
// Stand-alone entry for `switchyard rouge` until the commander-based CLI wires it:
//   node packages/eval-rouge/bin/rouge.mjs --predictions FILE [--references FILE]
//        [--no-stemmer] [--json] [--split-sentences none|predictions|both] [--seed N] [--no-bootstrap]
// Needs the built package (`npx tsc -b packages/tsconfig.build.json`). Exit codes: 0 ok,
// 1 bad input files, 2 bad arguments.
// The scoring-only entry: dist/index.js also exports the generation stage, whose tfjs import
// would add about a second to every start-up.
import { parseRougeArgs, runRougeCommand, ROUGE_USAGE } from '../dist/scoring.js';

let opts;
try {
  opts = parseRougeArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`rouge: ${e.message}\n${ROUGE_USAGE}`);
  process.exit(2);
}
if (opts.help) {
  process.stdout.write(ROUGE_USAGE);
} else {
  // `rouge ... | head` closes the pipe early: stop quietly instead of printing a stack trace.
  process.stdout.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  process.exitCode = await runRougeCommand(opts);
}
