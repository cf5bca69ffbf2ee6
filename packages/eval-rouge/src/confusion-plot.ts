// The confusion matrix of a classification evaluation (images or texts) as a heat map (vega-lite,
// drawn to SVG and PNG with resvg by flops-profiler's renderChart, as the report draws its plots):
// rows true class, columns predicted class, cells the count. Up to 12 classes every cell carries
// its count and the axes the class names; with more (BANKING77's 77) the cells are small squares,
// the axes carry class indices and confusion.json holds the names.
import type { TopLevelSpec } from 'vega-lite';

export interface ConfusionPlotOptions {
  /** What is counted, for the colour legend ("images", "examples"). */
  unit?: string;
}

export function confusionSpec(cm: number[][], classes: string[], title: string, o: ConfusionPlotOptions = {}): TopLevelSpec {
  const k = cm.length;
  const named = k <= 20;
  const name = (i: number) => (named ? `${i} ${classes[i] ?? ''}`.trim() : String(i));
  const values = cm.flatMap((row, t) => row.map((count, p) => ({ true: name(t), predicted: name(p), count })));
  const order = Array.from({ length: k }, (_, i) => name(i));
  const side = Math.max(360, 8 * k);
  const axis = named ? {} : { labelFontSize: 7, labelAngle: 0 };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: named ? title : `${title} (class indices; names in confusion.json)`, width: side, height: side,
    data: { values },
    encoding: {
      x: { field: 'predicted', type: 'ordinal', sort: order, title: 'predicted class', axis },
      y: { field: 'true', type: 'ordinal', sort: order, title: 'true class', axis },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues' }, title: o.unit ?? 'examples' } } },
      ...(k <= 12 ? [{ mark: { type: 'text', fontSize: 9 }, encoding: { text: { field: 'count', type: 'quantitative' }, color: { condition: { test: `datum.count > ${Math.max(1, Math.max(...cm.flat()) / 2)}`, value: 'white' }, value: 'black' } } }] : []),
    ],
  } as TopLevelSpec;
}

/** Write confusion-matrix.svg and .png (or `<stem>.svg/.png`) into `dir`; returns the file names. */
export async function writeConfusionPlot(dir: string, cm: number[][], classes: string[], title: string, o: ConfusionPlotOptions & { stem?: string } = {}): Promise<string[]> {
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { renderChart } = await import('@switchyard/flops-profiler');
  const { svg, png } = await renderChart(confusionSpec(cm, classes, title, o));
  const stem = o.stem ?? 'confusion-matrix';
  writeFileSync(join(dir, `${stem}.svg`), svg);
  writeFileSync(join(dir, `${stem}.png`), png);
  return [`${stem}.svg`, `${stem}.png`];
}
