// The one validator and error format (lib/config-check.cjs), TypeBox declarations
// (config-schema.ts) and the strict JSON reader (lib/json-file.cjs).
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkSchema, didYouMean, ConfigObject, StringEnum, Type, type Static, parseJsonFile, parseJsonText, JsonFileError } from '@switchyard/runtime';

const repoRoot = resolve(new URL('../../..', import.meta.url).pathname);

describe('did-you-mean', () => {
  it('suggests the closest candidate within typo distance only', () => {
    expect(didYouMean('linear-sparsmax', ['linear-sparsemax', 'attention-sparsemax'])).toBe('linear-sparsemax');
    expect(didYouMean('topk', ['type', 'topK'])).toBe('topK'); // case-insensitive: distance 0
    expect(didYouMean('tarin', ['train', 'base-model'])).toBe('train'); // one transposition
    expect(didYouMean('banana', ['train', 'base-model'])).toBeUndefined();
    expect(didYouMean(3, ['3'])).toBeUndefined();
  });
});

describe('ConfigObject / StringEnum: one declaration, schema and resolved type', () => {
  const decl = ConfigObject({
    mode: StringEnum(['fast', 'exact'] as const, { default: 'exact' }),
    size: Type.Integer({ minimum: 1 }),
    note: Type.Optional(Type.String()),
  });
  it('requires only the keys without a default and fills the defaults', () => {
    expect(JSON.parse(JSON.stringify(decl))).toEqual({
      type: 'object', additionalProperties: false, required: ['size'],
      properties: { mode: { type: 'string', enum: ['fast', 'exact'], default: 'exact' }, size: { type: 'integer', minimum: 1 }, note: { type: 'string' } },
    });
    const c = { size: 2 };
    expect(checkSchema(decl, c)).toEqual([]);
    const resolved: Static<typeof decl> = c as Static<typeof decl>;
    // The resolved type has `mode` (defaulted) as a required member: this line would not compile otherwise.
    const mode: 'fast' | 'exact' = resolved.mode;
    expect(mode).toBe('exact');
  });
  it('reports path, value, allowed values and a did-you-mean', () => {
    expect(checkSchema(decl, { size: 0, mode: 'fats', nte: 'x' })).toEqual([
      '/: unknown key "nte"; allowed keys: mode, size, note; did you mean "note"?',
      '/mode: "fats" is not allowed; allowed values: "fast", "exact"; did you mean "fast"?',
      '/size: 0 must be >= 1',
    ]);
    expect(checkSchema(decl, {}, { basePath: '/stages/x/config', applyDefaults: false })).toEqual(['/stages/x/config: missing required key "size"']);
  });
});

describe('parseJsonText / parseJsonFile', () => {
  it('reads every JSON file of the repository exactly as JSON.parse does, and refuses the ones it refuses', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const n of readdirSync(dir)) {
        if (n === 'node_modules' || n === 'dist' || n.startsWith('.') || n === 'artifacts' || n === 'build') continue;
        const p = join(dir, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (n.endsWith('.json') && statSync(p).size < 2_000_000) files.push(p);
      }
    };
    walk(repoRoot);
    expect(files.length).toBeGreaterThan(30);
    let refused = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      let want: unknown;
      try { want = JSON.parse(text); } catch {
        refused++;
        expect(() => parseJsonText(text, f)).toThrow(JsonFileError);
        continue;
      }
      expect({ f, v: parseJsonText(text, f, { maxDepth: 512 }) }).toEqual({ f, v: want });
    }
    expect(refused).toBeLessThan(files.length / 4);
  });

  it('decodes escapes and keeps a __proto__ key as data', () => {
    const text = '{"a\\u00e9\\n":"\\ud83d\\ude00\\t","__proto__":{"x":1},"n":[-0.5e+2,0,1E3,true,false,null]}';
    const v = parseJsonText(text) as Record<string, unknown>;
    expect(v).toEqual(JSON.parse(text));
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['aé\n', '__proto__', 'n']);
  });

  it.each([
    ['{"a":1,}', 'f.json:1:8: trailing comma before "}"'],
    ['[1,2', 'f.json:1:1: array is not closed (no matching "]")'],
    ["{'a':1}", 'f.json:1:2: expected a property name in double quotes, found "\'"'],
    ['{"a":01}', 'f.json:1:7: expected "," or "}" after the value of "a", found "1"'],
    ['{"a":"x\ny"}', 'f.json:1:8: control character "\\n" inside a string (write it escaped, e.g. \\n)'],
    ['{"a":1}\n{"b":2}', 'f.json:2:1: unexpected "{" after the end of the JSON value'],
    ['{"a": tru}', 'f.json:1:7: expected a value (object, array, string, number, true, false or null), found "t"'],
    ['\n\n  {"k": 1,\n   "k": 2}', 'f.json:4:4: duplicate key "k" (also on line 3); each key may appear once per object'],
  ])('%j → %s', (text, message) => {
    expect(() => parseJsonText(text, 'f.json')).toThrow(message);
  });

  it('names a missing, an empty and an oversized file', () => {
    const d = mkdtempSync(join(tmpdir(), 'switchyard-json-'));
    writeFileSync(join(d, 'empty.json'), '');
    writeFileSync(join(d, 'big.json'), `[${'1,'.repeat(100)}1]`);
    const err = (f: () => unknown) => { try { f(); } catch (e) { return e as JsonFileError; } throw new Error('no error'); };
    expect(err(() => parseJsonFile(join(d, 'none.json'), { shown: 'none.json' })).message).toBe('none.json: file not found');
    const empty = err(() => parseJsonFile(join(d, 'empty.json'), { shown: 'config.json' }));
    expect(empty).toBeInstanceOf(JsonFileError);
    expect([empty.message, empty.line]).toEqual(['config.json: the file is empty (expected JSON)', undefined]);
    expect(err(() => parseJsonFile(join(d, 'big.json'), { shown: 'big.json', maxBytes: 100 })).message).toBe('big.json: the file is 203 bytes; the limit is 100 bytes');
  });
});
