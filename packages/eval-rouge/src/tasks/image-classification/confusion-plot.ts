// The confusion matrix of an image evaluation as a heat map (vega-lite, drawn to SVG and PNG with
// resvg by flops-profiler's renderChart, as the report draws its plots): rows true class,
// columns predicted class, cells the count.
import type { TopLevelSpec } from 'vega-lite';

export function confusionSpec(cm: number[][], classes: string[], title: string): TopLevelSpec {
  const values = cm.flatMap((row, t) => row.map((count, p) => ({ true: `${t} ${classes[t] ?? ''}`.trim(), predicted: `${p} ${classes[p] ?? ''}`.trim(), count })));
  const order = classes.map((c, i) => `${i} ${c}`.trim());
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title, width: 360, height: 360,
    data: { values },
    encoding: {
      x: { field: 'predicted', type: 'ordinal', sort: order, title: 'predicted class' },
      y: { field: 'true', type: 'ordinal', sort: order, title: 'true class' },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues' }, title: 'images' } } },
      { mark: { type: 'text', fontSize: 9 }, encoding: { text: { field: 'count', type: 'quantitative' }, color: { condition: { test: `datum.count > ${Math.max(1, Math.max(...cm.flat()) / 2)}`, value: 'white' }, value: 'black' } } },
    ],
  } as TopLevelSpec;
}

/** Write confusion-matrix.svg and .png into `dir`; returns the file names. */
export async function writeConfusionPlot(dir: string, cm: number[][], classes: string[], title: string): Promise<string[]> {
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { renderChart } = await import('@switchyard/flops-profiler');
  const { svg, png } = await renderChart(confusionSpec(cm, classes, title));
  writeFileSync(join(dir, 'confusion-matrix.svg'), svg);
  writeFileSync(join(dir, 'confusion-matrix.png'), png);
  return ['confusion-matrix.svg', 'confusion-matrix.png'];
}
