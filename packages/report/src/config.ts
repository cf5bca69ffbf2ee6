// The report stage's config. Everything has a default, so `config: {}` in a pipeline works.
// One TypeBox declaration (runtime's config-schema.ts) gives the schema and the resolved type.
import { assertSchema, ConfigObject, Type, type Static } from '@switchyard/runtime';

const DEFAULT_TITLE = 'Switchyard gating study: comparison report';

export const reportConfigSchema = ConfigObject({
  title: Type.String({ minLength: 1, default: DEFAULT_TITLE, description: 'Heading of report.md / report.html.' }),
  plots: Type.Boolean({ default: true, description: 'Draw the plots (PNG + SVG under plots/).' }),
  fontPath: Type.Optional(Type.String({ minLength: 1, description: 'TrueType font for the PNGs (else SWITCHYARD_FONT, else DejaVu Sans if installed).' })),
  baselineRouter: Type.String({ minLength: 1, default: 'switch-top1', description: 'Router type of the baseline strategy of the paired differences (when baselineOf is not given).' }),
  baselineOf: Type.Optional(ConfigObject({
    match: Type.String({ minLength: 1, description: 'Regular expression over a strategy (pipeline) name.' }),
    baseline: Type.String({ minLength: 1, description: 'Replacement giving the name of its baseline strategy ($1… refer to groups of match).' }),
  }, { description: 'Each strategy\'s own baseline, by name: a sweep over several datasets or architectures pairs every strategy with the baseline of the same group, e.g. { "match": "^(.*)-[a-z-]+$", "baseline": "$1-smoe" }. A strategy the expression does not match, or whose baseline is itself or absent, gets no paired difference.' })),
  paired: ConfigObject({
    confidence: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.95, description: 'Confidence of both paired intervals.' }),
    samples: Type.Integer({ minimum: 100, default: 1000, description: 'Paired bootstrap resamples over eval examples.' }),
    seed: Type.Integer({ minimum: 0, default: 0, description: 'Seed of the paired bootstrap.' }),
  }, { default: {} }),
  examples: Type.Integer({ minimum: 0, maximum: 20, default: 4, description: 'Eval examples shown with the reference and each strategy\'s output (0: none).' }),
  sweepHint: Type.Optional(Type.String({ minLength: 1, description: 'How to run the comparison (named in a one-pipeline report), e.g. "npx nx run pipeline:samsum-real-sweep".' })),
}, { $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'report stage config' });

export type ReportConfig = Static<typeof reportConfigSchema>;

/** Fill defaults in code so the result does not depend on the validator's useDefaults. */
export function resolveReportConfig(raw: unknown): ReportConfig {
  const c = (raw ?? {}) as Partial<ReportConfig>;
  assertSchema(reportConfigSchema, c, 'report config');
  return {
    title: c.title ?? DEFAULT_TITLE,
    plots: c.plots ?? true,
    ...(c.fontPath ? { fontPath: c.fontPath } : {}),
    baselineRouter: c.baselineRouter ?? 'switch-top1',
    ...(c.baselineOf ? { baselineOf: checkedBaselineOf(c.baselineOf) } : {}),
    paired: { confidence: c.paired?.confidence ?? 0.95, samples: c.paired?.samples ?? 1000, seed: c.paired?.seed ?? 0 },
    examples: c.examples ?? 4,
    ...(c.sweepHint ? { sweepHint: c.sweepHint } : {}),
  };
}

function checkedBaselineOf(b: { match: string; baseline: string }): { match: string; baseline: string } {
  try { new RegExp(b.match); } catch (e) { throw new Error(`report config baselineOf.match: ${JSON.stringify(b.match)} is not a regular expression (${(e as Error).message})`); }
  return { match: b.match, baseline: b.baseline };
}
