// Config validation with errors a researcher can act on: the file, the JSON path, the offending
// value, what is allowed and a did-you-mean. The validator and the formatter live in
// lib/config-check.cjs (CommonJS, so the Nx plugin can use the very same code before anything
// is built); this module types them and adds the error class.
import { createRequire } from 'node:module';
import type * as ConfigCheck from '../lib/config-check.cjs';

const require = createRequire(import.meta.url);
const configCheck = require('../lib/config-check.cjs') as typeof ConfigCheck;

export class ConfigError extends Error {
  constructor(message: string, readonly problems: string[] = [message]) { super(message); }
}

export const formatAjvError: typeof ConfigCheck.formatAjvError = configCheck.formatAjvError;
export const didYouMean: typeof ConfigCheck.didYouMean = configCheck.didYouMean;

/**
 * Validate `data` (mutated: defaults are filled in when `applyDefaults`, the default) against
 * `schema`. Returns formatted problems, empty when valid.
 */
export function checkSchema(schema: object, data: unknown, opts: { basePath?: string; applyDefaults?: boolean } = {}): string[] {
  return configCheck.checkSchema(schema, data, opts);
}

/** Validate and throw a ConfigError naming `where` (a file or a stage) with every problem. */
export function assertSchema(schema: object, data: unknown, where: string, opts: { basePath?: string; applyDefaults?: boolean } = {}): void {
  const problems = checkSchema(schema, data, opts);
  if (problems.length > 0) {
    throw new ConfigError(`${where}: invalid config\n  ${problems.join('\n  ')}`, problems.map((p) => `${where}: ${p}`));
  }
}
