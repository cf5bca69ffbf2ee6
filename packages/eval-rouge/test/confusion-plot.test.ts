// The confusion heat map's spec: one cell per (true, predicted) pair holding that count; counts
// written in the cells and class names on the axes for a few classes, indices only for many.
import { confusionSpec } from '../src/confusion-plot.js';

type Layered = { data: { values: { true: string; predicted: string; count: number }[] }; layer: unknown[]; encoding: { x: { sort: string[] } }; width: number };

it('3 classes: every cell with its count, named axes, counts drawn', () => {
  const s = confusionSpec([[5, 1, 0], [2, 7, 1], [0, 0, 9]], ['neg', 'neu', 'pos'], 'cm') as unknown as Layered;
  expect(s.data.values).toHaveLength(9);
  expect(s.data.values.find((v) => v.true === '1 neu' && v.predicted === '0 neg')!.count).toBe(2);
  expect(s.encoding.x.sort).toEqual(['0 neg', '1 neu', '2 pos']);
  expect(s.layer).toHaveLength(2);
});

it('77 classes: indices on the axes, no count text, a larger square', () => {
  const k = 77;
  const cm = Array.from({ length: k }, (_, t) => Array.from({ length: k }, (_, p) => (t === p ? 10 : 0)));
  const s = confusionSpec(cm, Array.from({ length: k }, (_, i) => `class_${i}`), 'cm') as unknown as Layered;
  expect(s.data.values).toHaveLength(k * k);
  expect(s.encoding.x.sort[76]).toBe('76');
  expect(s.layer).toHaveLength(1);
  expect(s.width).toBe(8 * k);
});
