// JSON syntax errors as line and column. JSON.parse reports a character position at best (and
// for some errors none: `Unexpected token ']', "[1,]" is not valid JSON`), so when it fails the
// text is scanned again by a small iterative checker (no recursion, so deep nesting cannot
// overflow the stack) that finds the first offending character and says what was expected there.
// Data files (data-prep) and checkpoint files (model-core) use it; pipeline and config files go through the
// strict parser of json-file.ts instead (duplicate keys and depth limits are errors there).

export interface JsonSyntaxError {
  /** 0-based character offset of the offending character (text length at end of input). */
  offset: number;
  /** 1-based line and column (in characters) of `offset`. */
  line: number;
  column: number;
  /** What is wrong, e.g. `expected ',' or ']' after an array element, found '}'`. */
  problem: string;
}

const WS = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function shown(c: string | undefined): string {
  return c === undefined ? 'the end of the input' : c === '\n' ? 'a line break' : `'${c}'`;
}

/** The first syntax error of `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const stack: ('{' | '[')[] = [];
  const fail = (problem: string, at = i): JsonSyntaxError => ({ offset: at, ...lineColumn(text, at), problem });
  const ws = () => { while (i < text.length && WS.has(text[i]!)) i++; };
  const string = (): JsonSyntaxError | undefined => {
    const start = i++; // opening quote
    for (;;) {
      if (i >= text.length) return fail('unterminated string (no closing \'"\')', start);
      const c = text[i]!;
      if (c === '"') { i++; return undefined; }
      if (c < ' ') return fail(`${c === '\n' ? 'a line break' : `control character U+${c.charCodeAt(0).toString(16).padStart(4, '0')}`} inside a string (escape it)`);
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return fail('\\u must be followed by 4 hex digits');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return fail(`invalid escape \\${e ?? ''} in a string`);
        continue;
      }
      i++;
    }
  };
  let state: 'value' | 'key' | 'after' = 'value';
  for (;;) {
    ws();
    const c = text[i];
    if (state === 'value') {
      if (c === '{' || c === '[') {
        stack.push(c);
        i++;
        ws();
        if (text[i] === (c === '{' ? '}' : ']')) { stack.pop(); i++; state = 'after'; } else state = c === '{' ? 'key' : 'value';
        continue;
      }
      if (c === '"') { const e = string(); if (e) return e; state = 'after'; continue; }
      if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
        const start = i;
        NUMBER.lastIndex = i;
        const m = NUMBER.exec(text);
        if (!m) return fail('invalid number', start);
        i += m[0].length;
        if (text[i] === '.' || text[i] === 'e' || text[i] === 'E' || (text[i] !== undefined && text[i]! >= '0' && text[i]! <= '9')) return fail('invalid number', start);
        state = 'after';
        continue;
      }
      const lit = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
      if (lit) { i += lit.length; state = 'after'; continue; }
      if (c === undefined) return fail(stack.length ? 'unexpected end of the input, expected a value' : 'no JSON value (the text is empty)');
      return fail(`expected a value, found ${shown(c)}`);
    }
    if (state === 'key') {
      if (c !== '"') return fail(`expected a property name in double quotes, found ${shown(c)}`);
      const e = string();
      if (e) return e;
      ws();
      if (text[i] !== ':') return fail(`expected ':' after a property name, found ${shown(text[i])}`);
      i++;
      state = 'value';
      continue;
    }
    // after a value
    const top = stack[stack.length - 1];
    if (top === undefined) return c === undefined ? undefined : fail(`unexpected ${shown(c)} after the end of the JSON value`);
    const close = top === '{' ? '}' : ']';
    if (c === ',') { i++; state = top === '{' ? 'key' : 'value'; continue; }
    if (c === close) { stack.pop(); i++; continue; }
    return fail(`expected ',' or '${close}' after ${top === '{' ? 'a property value' : 'an array element'}, found ${shown(c)}`);
  }
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1, start = 0;
  for (let k = 0; k < offset && k < text.length; k++) if (text.charCodeAt(k) === 10) { line++; start = k + 1; }
  return { line, column: offset - start + 1 };
}

/**
 * JSON.parse, with a failure described as `line L column C: problem`. `onError` turns it into
 * the caller's error type. A leading BOM is ignored.
 */
export function parseJsonLocated<T = unknown>(text: string, onError: (e: JsonSyntaxError) => Error): T {
  const body = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(body) as T;
  } catch (parseError) {
    const e = findJsonSyntaxError(body) ?? { offset: 0, line: 1, column: 1, problem: (parseError as Error).message };
    throw onError(e);
  }
}
