// JSON Schema (2020-12) validation with errors a researcher can act on: the file, the JSON path,
// the offending value and what is allowed. ajv's raw errors are formatted here rather than with
// better-ajv-errors, which drops some errors when several hit one location (design.md §2).
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

export class ConfigError extends Error {
  constructor(message: string, readonly problems: string[] = [message]) { super(message); }
}

const ajvWithDefaults = new Ajv2020({ strict: true, allErrors: true, useDefaults: true, allowUnionTypes: true, verbose: true });
const ajvPlain = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true, verbose: true });
const compiled = new WeakMap<object, ValidateFunction>();
const compiledPlain = new WeakMap<object, ValidateFunction>();

function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let cur: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? 'undefined' : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

export function formatAjvError(e: ErrorObject, data: unknown, basePath = ''): string {
  const path = `${basePath}${e.instancePath}` || '/';
  const value = valueAt(data, e.instancePath);
  switch (e.keyword) {
    case 'enum':
      return `${path}: ${show(value)} is not allowed; allowed values: ${(e.params.allowedValues as unknown[]).map(show).join(', ')}`;
    case 'const':
      return `${path}: ${show(value)} is not allowed; expected ${show(e.params.allowedValue)}`;
    case 'additionalProperties': {
      const schemaProps = Object.keys(((e.parentSchema as { properties?: object })?.properties) ?? {});
      return `${path}: unknown key ${show(e.params.additionalProperty)}; allowed keys: ${schemaProps.join(', ') || '(none)'}`;
    }
    case 'required':
      return `${path}: missing required key ${show(e.params.missingProperty)}`;
    case 'type':
      return `${path}: ${show(value)} has the wrong type; expected ${e.params.type}`;
    default:
      return `${path}: ${show(value)} ${e.message ?? 'is invalid'}`;
  }
}

/** ajv adds one error per failing branch of oneOf/anyOf; keep the specific ones. */
function usefulErrors(errors: ErrorObject[]): ErrorObject[] {
  const specific = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  return specific.length > 0 ? specific : errors;
}

/**
 * Validate `data` (mutated: defaults are filled in when `applyDefaults`) against `schema`.
 * Returns formatted problems, empty when valid.
 */
export function checkSchema(schema: object, data: unknown, opts: { basePath?: string; applyDefaults?: boolean } = {}): string[] {
  const cache = opts.applyDefaults === false ? compiledPlain : compiled;
  const ajv = opts.applyDefaults === false ? ajvPlain : ajvWithDefaults;
  let validate = cache.get(schema);
  if (!validate) { validate = ajv.compile(schema); cache.set(schema, validate); }
  if (validate(data)) return [];
  return usefulErrors(validate.errors ?? []).map((e) => formatAjvError(e, data, opts.basePath ?? ''));
}

/** Validate and throw a ConfigError naming `where` (a file or a stage) with every problem. */
export function assertSchema(schema: object, data: unknown, where: string, opts: { basePath?: string; applyDefaults?: boolean } = {}): void {
  const problems = checkSchema(schema, data, opts);
  if (problems.length > 0) {
    throw new ConfigError(`${where}: invalid config\n  ${problems.join('\n  ')}`, problems.map((p) => `${where}: ${p}`));
  }
}
