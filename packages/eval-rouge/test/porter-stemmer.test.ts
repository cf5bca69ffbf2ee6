// NLTK 3.8 PorterStemmer (NLTK_EXTENSIONS) on 20,000 dictionary words + 49 rouge.json examples.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stem } from '../src/scoring.js';
import { fixturesDir, loadFixtureGolden } from './golden-helpers.js';

const table = JSON.parse(readFileSync(path.join(fixturesDir, 'porter-stems.json'), 'utf8')) as { n: number; stems: Record<string, string> };

describe('stem() equals NLTK PorterStemmer', () => {
  test('every word of porter_stems.json', () => {
    const words = Object.keys(table.stems);
    expect(words.length).toBe(20000);
    const wrong = words.filter((w) => stem(w) !== table.stems[w]).map((w) => `${w}: got ${stem(w)}, NLTK ${table.stems[w]}`);
    expect(wrong).toEqual([]);
  });

  test('the 49 porter_stem_examples of rouge.json', () => {
    for (const [w, s] of Object.entries(loadFixtureGolden().porter_stem_examples)) expect([w, stem(w)]).toEqual([w, s]);
  });

  test('NLTK extensions listed in golden README §3', () => {
    const cases: Record<string, string> = {
      skies: 'sky', sky: 'sky', dying: 'die', lying: 'lie', tying: 'tie', news: 'news',
      innings: 'inning', outings: 'outing', cannings: 'canning', howe: 'howe',
      proceed: 'proceed', exceed: 'exceed', succeed: 'succeed',
      pies: 'pie', tied: 'tie', spied: 'spi', happy: 'happi', enjoy: 'enjoy', deny: 'deni',
      is: 'is', at: 'at',
    };
    for (const [w, s] of Object.entries(cases)) expect([w, stem(w)]).toEqual([w, s]);
  });

  test('upper-case input is lower-cased first', () => {
    expect(stem('Running')).toBe('run');
  });
});
