// The report stage's config. Everything has a default, so `config: {}` in a pipeline works.
// One TypeBox declaration (runtime's config-schema.ts) gives the schema and the resolved type.
import { assertSchema, ConfigObject, Type, type Static } from '@switchyard/runtime';

const DEFAULT_TITLE = 'Switchyard gating study: comparison report';

export const reportConfigSchema = ConfigObject({
  title: Type.String({ minLength: 1, default: DEFAULT_TITLE, description: 'Heading of report.md / report.html.' }),
  plots: Type.Boolean({ default: true, description: 'Draw the plots (PNG + SVG under plots/).' }),
  fontPath: Type.Optional(Type.String({ minLength: 1, description: 'TrueType font for the PNGs (else SWITCHYARD_FONT, else DejaVu Sans if installed).' })),
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
  };
}
