export { initBackend, backendInfo, parseBackendName, BackendError, BACKEND_NAMES } from './backend.js';
export type { BackendInfo, BackendName } from './backend.js';
export { Rng, hashLabel } from './rng.js';
export type { RngState } from './rng.js';
export { registerMissingKernels } from './kernels/register.js';
export { unsortedSegmentSumValues } from './kernels/unsorted-segment-sum.js';
export type { StageContext, StageDefinition } from './stage-types.js';
export { makeTable, column, writeArrowFile, readArrowFile, columnValues, ArrowSchemaError, Table } from './arrow-io.js';
export type { ColumnKind } from './arrow-io.js';
