// Strict JSON files (lib/json-file.cjs, shared with the Nx plugin): syntax errors as
// `file:line:column: what was expected`, duplicate keys rejected naming both lines, nesting depth
// bounded, empty files called empty. For pipeline files and checkpoint config.json alike.
import { createRequire } from 'node:module';
import type * as JsonFile from '../lib/json-file.cjs';

const require = createRequire(import.meta.url);
const jsonFile = require('../lib/json-file.cjs') as typeof JsonFile;

export const JsonFileError: typeof JsonFile.JsonFileError = jsonFile.JsonFileError;
export type JsonFileError = JsonFile.JsonFileError;
export const parseJsonText: typeof JsonFile.parseJsonText = jsonFile.parseJsonText;
/** Read and parse a JSON file strictly: `parseJsonFile(path, { shown?, maxDepth?, maxBytes? })`. */
export const parseJsonFile: typeof JsonFile.parseJsonFile = jsonFile.parseJsonFile;
