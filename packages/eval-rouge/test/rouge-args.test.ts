// Flags of the stand-alone rouge entry (bin/rouge.mjs): defaults, both value syntaxes, errors.
import { parseRougeArgs } from '../src/scoring.js';

describe('parseRougeArgs', () => {
  test('defaults: stemmer on, text report, bootstrap on', () => {
    expect(parseRougeArgs(['--predictions', 'p.jsonl'])).toEqual({ predictions: 'p.jsonl', stemmer: true, json: false, bootstrap: true });
  });

  test('every flag, with --flag value and --flag=value', () => {
    expect(parseRougeArgs(['--predictions=p.jsonl', '--references', 'r.jsonl', '--no-stemmer', '--json',
      '--split-sentences=both', '--seed', '7', '--no-bootstrap'])).toEqual({
      predictions: 'p.jsonl', references: 'r.jsonl', stemmer: false, json: true, bootstrap: false, seed: 7, splitSentences: 'both',
    });
    expect(parseRougeArgs(['--predictions', 'a=b.txt']).predictions).toBe('a=b.txt');
    expect(parseRougeArgs(['--help'])).toEqual({ help: true });
  });

  test.each([
    [['--references', 'r.jsonl'], '--predictions is required'],
    [['--predictions'], '--predictions needs a value'],
    [['--predictions', '--json'], '--predictions needs a value'],
    [['--predictions', 'p', '--bogus'], 'unknown option "--bogus"'],
    [['--predictions', 'p', '--json=yes'], '--json takes no value'],
    [['--predictions', 'p', '--seed', '-1'], '--seed must be an integer in [0, 2^32-1], got "-1"'],
    [['--predictions', 'p', '--seed', '1.5'], '--seed must be an integer in [0, 2^32-1], got "1.5"'],
    [['--predictions', 'p', '--split-sentences', 'punkt'], '--split-sentences must be none, predictions or both, got "punkt"'],
  ])('%j → %s', (argv, message) => {
    expect(() => parseRougeArgs(argv)).toThrow(message);
  });
});
