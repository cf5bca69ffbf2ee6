// Types of config-check.cjs (the one ajv instance and error format).
import type { ErrorObject } from 'ajv/dist/2020.js';
export declare function checkSchema(schema: object, data: unknown, opts?: { basePath?: string; applyDefaults?: boolean }): string[];
export declare function formatAjvError(e: ErrorObject, data: unknown, basePath?: string): string;
/** The candidate within typo distance of `value`, if any. */
export declare function didYouMean(value: unknown, candidates: readonly unknown[]): string | undefined;
export declare function editDistance(a: string, b: string): number;
