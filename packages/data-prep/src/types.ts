// Shared record types of the loaders and the stage.
import type { ErrorPlace } from './errors.js';

export const SPLITS = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

/** One dialogue-summary pair, after validation. */
export interface Example { id: string; dialogue: string; summary: string }

/** A record as read from a file, before field validation. `problem` marks a row the loader could not parse. */
export interface RawRecord {
  place: ErrorPlace;
  values?: Record<string, unknown>;
  problem?: { reason: string; field?: string };
}

/** Column names in the source files (SAMSum's by default). */
export interface FieldNames { id: string; dialogue: string; summary: string }
export const DEFAULT_FIELDS: FieldNames = { id: 'id', dialogue: 'dialogue', summary: 'summary' };

export type InvalidPolicy = 'error' | 'skip';

/** A row left out under `onInvalid: "skip"`, as recorded in the manifest. */
export interface SkipRecord {
  split: string;
  file?: string;
  line?: number;
  /** 1-based column of a JSON syntax error on `line`. */
  column?: number;
  row?: number;
  id?: string;
  field?: string;
  reason: string;
}

export type FileFormat = 'json' | 'jsonl' | 'csv' | 'parquet' | 'arrow';
