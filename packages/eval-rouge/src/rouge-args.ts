// Argument parsing for the stand-alone `rouge` entry (bin/rouge.mjs) until the commander-based
// CLI wires runRougeCommand. Same flags as `switchyard rouge`; unknown flags and missing or
// malformed values are errors, as the project's config rules ask.
import type { RougeCommandOptions } from './rouge-command.js';
import type { SentenceSplitMode } from './score-corpus.js';

export const ROUGE_USAGE = 'usage: rouge --predictions FILE [--references FILE] [--no-stemmer] [--json] '
  + '[--split-sentences none|predictions|both] [--seed N] [--no-bootstrap]\n';

export class RougeUsageError extends Error {
  override name = 'RougeUsageError';
}

/** Parsed options, or `{ help: true }` for -h/--help. `--flag value` and `--flag=value` both work. */
export function parseRougeArgs(argv: readonly string[]): (Omit<RougeCommandOptions, 'out' | 'err'> & { help?: false }) | { help: true } {
  let predictions: string | undefined;
  let references: string | undefined;
  let stemmer = true;
  let json = false;
  let bootstrap = true;
  let seed: number | undefined;
  let splitSentences: SentenceSplitMode | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new RougeUsageError(`${flag} needs a value`);
      i++;
      return v;
    };
    const noValue = (): void => {
      if (inline !== undefined) throw new RougeUsageError(`${flag} takes no value`);
    };
    switch (flag) {
      case '--predictions': predictions = value(); break;
      case '--references': references = value(); break;
      case '--stemmer': noValue(); stemmer = true; break;
      case '--no-stemmer': noValue(); stemmer = false; break;
      case '--json': noValue(); json = true; break;
      case '--no-bootstrap': noValue(); bootstrap = false; break;
      case '--split-sentences': {
        const v = value();
        if (v !== 'none' && v !== 'predictions' && v !== 'both') throw new RougeUsageError(`--split-sentences must be none, predictions or both, got "${v}"`);
        splitSentences = v;
        break;
      }
      case '--seed': {
        const raw = value();
        const v = Number(raw);
        if (!/^\d+$/.test(raw) || v > 0xffffffff) throw new RougeUsageError(`--seed must be an integer in [0, 2^32-1], got "${raw}"`);
        seed = v;
        break;
      }
      case '-h': case '--help': return { help: true };
      default: throw new RougeUsageError(`unknown option "${arg}"`);
    }
  }
  if (predictions === undefined) throw new RougeUsageError('--predictions is required');
  return {
    predictions, stemmer, json, bootstrap,
    ...(references !== undefined ? { references } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(splitSentences !== undefined ? { splitSentences } : {}),
  };
}
