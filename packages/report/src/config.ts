// The report stage's config. Everything has a default, so `config: {}` in a pipeline works.
import { assertSchema } from '@switchyard/runtime';

export interface ReportConfig {
  /** Heading of report.md / report.html. */
  title: string;
  /** Draw the plots (PNG + SVG under plots/). */
  plots: boolean;
  /** TrueType font for the PNGs (else SWITCHYARD_FONT, else DejaVu Sans if installed). */
  fontPath?: string;
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
  };
}
