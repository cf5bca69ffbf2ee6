// Types of json-file.cjs (strict JSON reading with line/column errors).
export declare class JsonFileError extends Error {
  constructor(file: string, line: number | undefined, column: number | undefined, reason: string);
  readonly file: string;
  /** 1-based; undefined for whole-file problems (missing, empty, too large). */
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly reason: string;
}
export declare const DEFAULT_MAX_DEPTH: number;
/** Parse JSON text strictly (duplicate keys and nesting deeper than maxDepth are errors). */
export declare function parseJsonText(text: string, file?: string, opts?: { maxDepth?: number }): unknown;
/** Read and parse a JSON file strictly; `shown` names it in errors, `maxBytes` caps its size. */
export declare function parseJsonFile(path: string, opts?: { shown?: string; maxDepth?: number; maxBytes?: number }): unknown;
