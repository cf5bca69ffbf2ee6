// Vega-Lite spec → SVG (vega View, renderer 'none', no browser) → PNG (resvg). Shared by the
// flops-profiler plots and the report stage.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import { findFontFile } from './font.js';

export interface RenderOptions {
  /** TrueType font for the PNG; defaults to SWITCHYARD_FONT or DejaVu Sans if installed. */
  fontPath?: string;
  /** Family name the SVG text uses and the font file provides. Defaults to "DejaVu Sans". */
  fontFamily?: string;
  /** PNG pixels per SVG unit. Defaults to 2 (sharp on high-density screens). */
  scale?: number;
  /** PNG background. Defaults to white (vega's SVG is transparent). */
  background?: string;
}

export interface RenderedChart {
  svg: string;
  png: Buffer;
  /** The font file used for the PNG, or undefined when resvg fell back to system fonts. */
  fontFile?: string;
}

export async function renderChart(spec: TopLevelSpec, opts: RenderOptions = {}): Promise<RenderedChart> {
  const family = opts.fontFamily ?? 'DejaVu Sans';
  // Put the family in the spec so the SVG names it; resvg resolves it to the embedded file.
  const withFont = { ...spec, config: { font: family, ...(spec.config ?? {}) } } as TopLevelSpec;
  const { spec: vgSpec } = compile(withFont);
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  const fontFile = findFontFile(opts.fontPath);
  const resvg = new Resvg(svg, {
    background: opts.background ?? 'white',
    fitTo: { mode: 'zoom', value: opts.scale ?? 2 },
    font: fontFile
      ? { fontFiles: [fontFile], loadSystemFonts: false, defaultFontFamily: family, sansSerifFamily: family }
      : { loadSystemFonts: true },
  });
  const png = resvg.render().asPng();
  return { svg, png, ...(fontFile ? { fontFile } : {}) };
}
