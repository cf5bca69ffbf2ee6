// The JSON syntax locator against JSON.parse as the independent oracle: for valid JSON it finds
// nothing, for every randomly damaged document JSON.parse rejects it finds an error, and the
// position it gives lies in the text, with line and column counted here independently.
import { SeededStream as Rng } from '../src/seeded-stream.js';
import { findJsonSyntaxError } from '../src/json-syntax.js';

const doc = JSON.stringify([
  { id: '13818513', dialogue: 'Amanda: I baked  cookies. Do you want some?\r\nJerry: Sure!\r\nAmanda: I\'ll bring you tomorrow :-)', summary: 'Amanda baked cookies and will bring Jerry some tomorrow.' },
  { id: 'x-\u00e9\u{1F600}', dialogue: 'A: "quoted" \\ back\tslash', summary: 'n', n: -12.5e-3, ok: true, none: null, list: [1, 2, [3, { a: [] }]] },
], null, 2);
const ALPHABET = ['{', '}', '[', ']', ',', ':', '"', '\\', ' ', '\n', '0', '-', '.', 'e', 't', 'n', 'x', '\u0001'];

function parses(text: string): boolean {
  try { JSON.parse(text); return true; } catch { return false; }
}

test('valid documents have no error', () => {
  for (const t of [doc, '0', '-0.5E+3', '"\\u00e9"', '[]', '{}', ' [ { } , [ ] ] ', 'null', JSON.stringify({ deep: JSON.parse('['.repeat(50) + ']'.repeat(50)) })]) {
    expect({ t, e: findJsonSyntaxError(t) }).toEqual({ t, e: undefined });
  }
});

test('randomly damaged documents: an error exactly when JSON.parse fails, at a real position', () => {
  const rng = new Rng(15);
  let invalid = 0;
  for (let trial = 0; trial < 600; trial++) {
    const chars = [...doc];
    for (let m = 0; m < 1 + rng.int(3); m++) {
      const at = rng.int(chars.length);
      const op = rng.int(3);
      if (op === 0) chars.splice(at, 1);
      else if (op === 1) chars.splice(at, 0, ALPHABET[rng.int(ALPHABET.length)]!);
      else chars[at] = ALPHABET[rng.int(ALPHABET.length)]!;
    }
    if (rng.int(10) === 0) chars.length = rng.int(chars.length); // cut off
    const text = chars.join('');
    const e = findJsonSyntaxError(text);
    expect({ text, valid: e === undefined }).toEqual({ text, valid: parses(text) });
    if (!e) continue;
    invalid++;
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(text.length);
    const before = text.slice(0, e.offset);
    expect({ line: e.line, column: e.column }).toEqual({ line: before.split('\n').length, column: e.offset - before.lastIndexOf('\n') });
  }
  expect(invalid).toBeGreaterThan(300);
});
