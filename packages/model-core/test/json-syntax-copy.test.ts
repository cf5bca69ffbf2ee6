// model-core and data-prep each carry the JSON syntax locator (neither package depends on the
// other); the two copies must stay identical apart from the line naming the other copy.
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const body = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => !l.includes('holds the same checker')).join('\n');

test('src/json-syntax.ts is the same in model-core and data-prep', () => {
  const mine = body(path.join(here, '../src/json-syntax.ts'));
  const theirs = body(path.join(here, '../../data-prep/src/json-syntax.ts'));
  expect(mine.length).toBeGreaterThan(1000);
  expect(mine).toBe(theirs);
});
