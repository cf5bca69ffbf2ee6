// Three tiny but real stages (they write and read Arrow) for the smoke pipeline, which tests use
// to prove caching, invalidation and the stage contract in seconds. Each config is one TypeBox
// declaration: its JSON Schema and its resolved type.
import { join } from 'node:path';
import { makeTable, readArrowFile, writeArrowFile, columnValues } from './arrow-io.js';
import { Rng } from './rng.js';
import type { StageDefinition } from './stage-types.js';
import { ConfigObject, StringEnum, Type, type Static } from './config-schema.js';

const sourceConfig = ConfigObject({ rows: Type.Integer({ minimum: 1, maximum: 100000, default: 100 }) });
export const smokeSourceStage: StageDefinition<Static<typeof sourceConfig>> = {
  name: 'smoke-source',
  configSchema: sourceConfig,
  async run(ctx) {
    const rng = new Rng(ctx.seed);
    const values = Array.from({ length: ctx.config.rows }, () => rng.normal());
    const ids = Array.from({ length: ctx.config.rows }, (_, i) => `row-${i}`);
    writeArrowFile(join(ctx.outDir, 'values.arrow'), makeTable({ id: { kind: 'utf8', values: ids }, value: { kind: 'float64', values } }));
    ctx.log(`${ctx.config.rows} rows`);
  },
};

const transformConfig = ConfigObject({
  operation: StringEnum(['scale', 'shift'] as const),
  amount: Type.Number({ default: 1 }),
});
export const smokeTransformStage: StageDefinition<Static<typeof transformConfig>> = {
  name: 'smoke-transform',
  configSchema: transformConfig,
  async run(ctx) {
    const [src] = Object.values(ctx.inputs);
    if (!src) throw new Error('smoke-transform needs one upstream stage');
    const t = readArrowFile(join(src, 'values.arrow'), { id: 'utf8', value: 'float64' });
    const v = columnValues<number>(t, 'value');
    const out = v.map((x) => (ctx.config.operation === 'scale' ? x * ctx.config.amount : x + ctx.config.amount));
    writeArrowFile(join(ctx.outDir, 'values.arrow'), makeTable({ id: { kind: 'utf8', values: columnValues<string>(t, 'id') }, value: { kind: 'float64', values: out } }));
  },
};

const summaryConfig = ConfigObject({ statistic: StringEnum(['mean', 'max'] as const, { default: 'mean' }) });
export const smokeSummaryStage: StageDefinition<Static<typeof summaryConfig>> = {
  name: 'smoke-summary',
  configSchema: summaryConfig,
  async run(ctx) {
    const [src] = Object.values(ctx.inputs);
    if (!src) throw new Error('smoke-summary needs one upstream stage');
    const v = columnValues<number>(readArrowFile(join(src, 'values.arrow'), { value: 'float64' }), 'value');
    const s = ctx.config.statistic === 'mean' ? v.reduce((a, b) => a + b, 0) / v.length : Math.max(...v);
    writeArrowFile(join(ctx.outDir, 'summary.arrow'), makeTable({ statistic: { kind: 'utf8', values: [ctx.config.statistic] }, value: { kind: 'float64', values: [s] } }));
    ctx.record('summary', { statistic: ctx.config.statistic, value: s });
  },
};
