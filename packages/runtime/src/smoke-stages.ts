// Three tiny but real stages (they write and read Arrow) for the smoke pipeline, which tests use
// to prove caching, invalidation and the stage contract in seconds.
import { join } from 'node:path';
import { makeTable, readArrowFile, writeArrowFile, columnValues } from './arrow-io.js';
import { Rng } from './rng.js';
import type { StageDefinition } from './stage-types.js';

interface SourceConfig { rows: number }
export const smokeSourceStage: StageDefinition<SourceConfig> = {
  name: 'smoke-source',
  configSchema: {
    type: 'object', additionalProperties: false,
    properties: { rows: { type: 'integer', minimum: 1, maximum: 100000, default: 100 } },
  },
  async run(ctx) {
    const rng = new Rng(ctx.seed);
    const values = Array.from({ length: ctx.config.rows }, () => rng.normal());
    const ids = Array.from({ length: ctx.config.rows }, (_, i) => `row-${i}`);
    writeArrowFile(join(ctx.outDir, 'values.arrow'), makeTable({ id: { kind: 'utf8', values: ids }, value: { kind: 'float64', values } }));
    ctx.log(`${ctx.config.rows} rows`);
  },
};

interface TransformConfig { operation: 'scale' | 'shift'; amount: number }
export const smokeTransformStage: StageDefinition<TransformConfig> = {
  name: 'smoke-transform',
  configSchema: {
    type: 'object', additionalProperties: false, required: ['operation'],
    properties: {
      operation: { enum: ['scale', 'shift'] },
      amount: { type: 'number', default: 1 },
    },
  },
  async run(ctx) {
    const [src] = Object.values(ctx.inputs);
    if (!src) throw new Error('smoke-transform needs one upstream stage');
    const t = readArrowFile(join(src, 'values.arrow'), { id: 'utf8', value: 'float64' });
    const v = columnValues<number>(t, 'value');
    const out = v.map((x) => (ctx.config.operation === 'scale' ? x * ctx.config.amount : x + ctx.config.amount));
    writeArrowFile(join(ctx.outDir, 'values.arrow'), makeTable({ id: { kind: 'utf8', values: columnValues<string>(t, 'id') }, value: { kind: 'float64', values: out } }));
  },
};

interface SummaryConfig { statistic: 'mean' | 'max' }
export const smokeSummaryStage: StageDefinition<SummaryConfig> = {
  name: 'smoke-summary',
  configSchema: {
    type: 'object', additionalProperties: false,
    properties: { statistic: { enum: ['mean', 'max'], default: 'mean' } },
  },
  async run(ctx) {
    const [src] = Object.values(ctx.inputs);
    if (!src) throw new Error('smoke-summary needs one upstream stage');
    const v = columnValues<number>(readArrowFile(join(src, 'values.arrow'), { value: 'float64' }), 'value');
    const s = ctx.config.statistic === 'mean' ? v.reduce((a, b) => a + b, 0) / v.length : Math.max(...v);
    writeArrowFile(join(ctx.outDir, 'summary.arrow'), makeTable({ statistic: { kind: 'utf8', values: [ctx.config.statistic] }, value: { kind: 'float64', values: [s] } }));
    ctx.record('summary', { statistic: ctx.config.statistic, value: s });
  },
};
