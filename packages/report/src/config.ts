// The report stage's config. Everything has a default, so `config: {}` in a pipeline works.
import { assertSchema } from '@switchyard/runtime';

export interface ReportConfig {
  /** Heading of report.md / report.html. */
  title: string;
  /** Draw the plots (PNG + SVG under plots/). */
  plots: boolean;
  /** TrueType font for the PNGs (else SWITCHYARD_FONT, else DejaVu Sans if installed). */
  fontPath?: string;
  /** Router type of the strategy every other one is compared with (paired differences). */
  baselineRouter: string;
  /** Paired differences: interval confidence, bootstrap resamples and seed. */
  paired: { confidence: number; samples: number; seed: number };
  /** Eval examples shown with the reference and every strategy's output (0: none). */
  examples: number;
  /** How to run the comparison, named in a one-pipeline report (e.g. a sweep's nx command). */
  sweepHint?: string;
}

export const reportConfigSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'report stage config',
  type: 'object',
  additionalProperties: false,
  properties: {
    title: { type: 'string', minLength: 1, default: 'Switchyard gating study: comparison report' },
    plots: { type: 'boolean', default: true },
    fontPath: { type: 'string', minLength: 1 },
    baselineRouter: { type: 'string', minLength: 1, default: 'switch-top1', description: 'Router type of the baseline strategy of the paired differences.' },
    paired: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        confidence: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.95 },
        samples: { type: 'integer', minimum: 100, default: 1000, description: 'Paired bootstrap resamples over eval examples.' },
        seed: { type: 'integer', minimum: 0, default: 0, description: 'Seed of the paired bootstrap.' },
      },
    },
    examples: { type: 'integer', minimum: 0, maximum: 20, default: 4, description: 'Eval examples shown with the reference and each strategy\'s output.' },
    sweepHint: { type: 'string', minLength: 1, description: 'How to run the comparison (named in a one-pipeline report), e.g. "npx nx run pipeline:samsum-real-sweep".' },
  },
} as const;

/** Fill defaults in code so the result does not depend on the validator's useDefaults. */
export function resolveReportConfig(raw: unknown): ReportConfig {
  const c = (raw ?? {}) as Partial<ReportConfig>;
  assertSchema(reportConfigSchema as unknown as Record<string, unknown>, c, 'report config');
  return {
    title: c.title ?? reportConfigSchema.properties.title.default,
    plots: c.plots ?? true,
    ...(c.fontPath ? { fontPath: c.fontPath } : {}),
    baselineRouter: c.baselineRouter ?? 'switch-top1',
    paired: { confidence: c.paired?.confidence ?? 0.95, samples: c.paired?.samples ?? 1000, seed: c.paired?.seed ?? 0 },
    examples: c.examples ?? 4,
    ...(c.sweepHint ? { sweepHint: c.sweepHint } : {}),
  };
}
