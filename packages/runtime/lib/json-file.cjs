// Strict JSON reading with errors a person can act on: `file:line:column: what was expected`.
// JSON.parse reports a character offset, merges duplicate keys silently (the last one wins) and,
// through the code that walks its result, lets absurdly deep nesting overflow the stack. This
// parser follows RFC 8259 and adds three rules: a duplicate key in one object is an error naming
// both lines, nesting deeper than `maxDepth` is an error (checked before recursing, so the depth
// of the call stack stays bounded), and an empty file is called empty.
//
// Plain CommonJS without a build step, because the Nx plugin (tools/nx-plugin/pipelines.cjs)
// reads pipeline files with it while building the project graph, also on a fresh clone before
// anything is compiled; the TypeScript packages import it through `@switchyard/runtime`
// (types in json-file.d.cts).
'use strict';
const { readFileSync, statSync } = require('node:fs');

class JsonFileError extends Error {
  /**
   * @param {string} file shown file name
   * @param {number | undefined} line 1-based
   * @param {number | undefined} column 1-based
   * @param {string} reason
   */
  constructor(file, line, column, reason) {
    super(`${file}${line !== undefined ? `:${line}:${column}` : ''}: ${reason}`);
    this.name = 'JsonFileError';
    this.file = file;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

const DEFAULT_MAX_DEPTH = 64;

function describeChar(text, i) {
  if (i >= text.length) return 'the end of the file';
  const c = text[i];
  if (c === '\n') return 'a line break';
  return JSON.stringify(text.slice(i, i + 1));
}

/**
 * Parse `text` as JSON. `file` names it in errors. Throws JsonFileError with line and column.
 * @param {string} text
 * @param {string} [file]
 * @param {{ maxDepth?: number }} [opts]
 */
function parseJsonText(text, file = '<json>', opts = {}) {
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  // Line starts, for offset → line/column (found lazily: only errors need them).
  let lineStarts;
  const where = (offset) => {
    if (!lineStarts) {
      lineStarts = [0];
      for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 10) lineStarts.push(k + 1);
    }
    let lo = 0, hi = lineStarts.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1; }
    return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
  };
  const fail = (offset, reason) => { const p = where(offset); throw new JsonFileError(file, p.line, p.column, reason); };

  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 byte order mark is tolerated
  const skipWs = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else return;
    }
  };

  function parseString() {
    const start = i; // at the opening quote
    i++;
    for (;;) {
      if (i >= text.length) fail(start, 'string is not closed (no matching `"`)');
      const c = text.charCodeAt(i);
      if (c === 34) { i++; break; }
      if (c === 92) { i += 2; continue; }
      if (c < 32) fail(i, `control character ${JSON.stringify(text[i])} inside a string (write it escaped, e.g. \\n)`);
      i++;
    }
    const raw = text.slice(start, i);
    try { return JSON.parse(raw); } catch { return fail(start, `invalid escape sequence in the string ${raw.length > 40 ? `${raw.slice(0, 37)}..."` : raw}`); }
  }

  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  function parseValue(depth) {
    skipWs();
    const c = text[i];
    if (c === '{' || c === '[') {
      if (depth >= maxDepth) fail(i, `nested more than ${maxDepth} levels deep (the limit for this file)`);
      return c === '{' ? parseObject(depth + 1) : parseArray(depth + 1);
    }
    if (c === '"') return parseString();
    if (c === 't' && text.startsWith('true', i)) { i += 4; return true; }
    if (c === 'f' && text.startsWith('false', i)) { i += 5; return false; }
    if (c === 'n' && text.startsWith('null', i)) { i += 4; return null; }
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) fail(i, 'malformed number');
      i += m[0].length;
      return Number(m[0]);
    }
    if (c === undefined) return fail(i, 'unexpected end of the file (expected a value)');
    if (c === "'") return fail(i, 'strings need double quotes (") in JSON');
    if (c === '}' || c === ']') return fail(i, `expected a value, found ${describeChar(text, i)} (a trailing comma?)`);
    return fail(i, `expected a value (object, array, string, number, true, false or null), found ${describeChar(text, i)}`);
  }

  function parseObject(depth) {
    const open = i;
    i++;
    const obj = {};
    const keyLines = new Map();
    skipWs();
    if (text[i] === '}') { i++; return obj; }
    for (;;) {
      skipWs();
      if (text[i] !== '"') {
        if (text[i] === '}') fail(i, 'trailing comma before "}"');
        fail(i, `expected a property name in double quotes, found ${describeChar(text, i)}`);
      }
      const keyAt = i;
      const key = parseString();
      const line = where(keyAt).line;
      if (keyLines.has(key)) fail(keyAt, `duplicate key ${JSON.stringify(key)} (also on line ${keyLines.get(key)}); each key may appear once per object`);
      keyLines.set(key, line);
      skipWs();
      if (text[i] !== ':') fail(i, `expected ":" after the property name ${JSON.stringify(key)}, found ${describeChar(text, i)}`);
      i++;
      const value = parseValue(depth);
      if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
      else obj[key] = value;
      skipWs();
      if (text[i] === ',') { i++; continue; }
      if (text[i] === '}') { i++; return obj; }
      if (i >= text.length) fail(open, 'object is not closed (no matching "}")');
      fail(i, `expected "," or "}" after the value of ${JSON.stringify(key)}, found ${describeChar(text, i)}`);
    }
  }

  function parseArray(depth) {
    const open = i;
    i++;
    const arr = [];
    skipWs();
    if (text[i] === ']') { i++; return arr; }
    for (;;) {
      arr.push(parseValue(depth));
      skipWs();
      if (text[i] === ',') {
        i++;
        skipWs();
        if (text[i] === ']') fail(i, 'trailing comma before "]"');
        continue;
      }
      if (text[i] === ']') { i++; return arr; }
      if (i >= text.length) fail(open, 'array is not closed (no matching "]")');
      fail(i, `expected "," or "]" after an array element, found ${describeChar(text, i)}`);
    }
  }

  skipWs();
  if (i >= text.length) throw new JsonFileError(file, undefined, undefined, 'the file is empty (expected JSON)');
  const value = parseValue(0);
  skipWs();
  if (i < text.length) fail(i, `unexpected ${describeChar(text, i)} after the end of the JSON value`);
  return value;
}

/**
 * Read and parse a JSON file strictly. `shown` is the name used in errors (default: the path).
 * `maxBytes` refuses larger files before reading them.
 * @param {string} path
 * @param {{ shown?: string, maxDepth?: number, maxBytes?: number }} [opts]
 */
function parseJsonFile(path, opts = {}) {
  const shown = opts.shown ?? path;
  let size;
  try { size = statSync(path).size; } catch (e) {
    const reason = e && e.code === 'ENOENT' ? 'file not found' : `cannot read the file (${e && e.message})`;
    throw new JsonFileError(shown, undefined, undefined, reason);
  }
  if (opts.maxBytes !== undefined && size > opts.maxBytes) {
    throw new JsonFileError(shown, undefined, undefined, `the file is ${size} bytes; the limit is ${opts.maxBytes} bytes`);
  }
  let text;
  try { text = readFileSync(path, 'utf8'); } catch (e) { throw new JsonFileError(shown, undefined, undefined, `cannot read the file (${e && e.message})`); }
  return parseJsonText(text, shown, { maxDepth: opts.maxDepth });
}

module.exports = { parseJsonText, parseJsonFile, JsonFileError, DEFAULT_MAX_DEPTH };
