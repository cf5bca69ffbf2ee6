// The train stage's routing records of an image model folder (written by the train package's
// image family, src/tasks/image-classification/routing-record.ts there), summarised:
//   routing-steps.arrow  → experts active per example over every training step (mean, max)
//   routing-epochs.arrow → how often a probe image's selected expert set changes between
//                          consecutive epoch-end snapshots (the last step's counts as one).
// Absent files give null (a model not trained by the image family). Dims: N probe images, E experts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { columnValues, readArrowFile } from '@switchyard/runtime';
import { routingChange, type RoutingChange } from '@switchyard/eval-classify';

export interface TrainingActive {
  /** Per layer: examples-weighted mean and the max of experts active per example over all training steps. */
  layers: { layer: string; steps: number; mean: number; max: number; min: number }[];
  mean: number;
  max: number;
  steps: number;
}

export function trainingActive(dir: string): TrainingActive | null {
  const file = join(dir, 'routing-steps.arrow');
  if (!existsSync(file)) return null;
  const t = readArrowFile(file, { step: 'int32', layer: 'utf8', examples: 'int32', min_active: 'int32', mean_active: 'float64', max_active: 'int32' });
  const layer = columnValues<string>(t, 'layer'), examples = columnValues<number>(t, 'examples'), mean = columnValues<number>(t, 'mean_active');
  const max = columnValues<number>(t, 'max_active'), min = columnValues<number>(t, 'min_active'), step = columnValues<number>(t, 'step');
  if (layer.length === 0) return null;
  const by = new Map<string, { steps: Set<number>; sum: number; n: number; max: number; min: number }>();
  layer.forEach((l, i) => {
    const a = by.get(l) ?? { steps: new Set<number>(), sum: 0, n: 0, max: 0, min: Infinity };
    a.steps.add(step[i]!); a.sum += mean[i]! * examples[i]!; a.n += examples[i]!; a.max = Math.max(a.max, max[i]!); a.min = Math.min(a.min, min[i]!);
    by.set(l, a);
  });
  const layers = [...by].map(([l, a]) => ({ layer: l, steps: a.steps.size, mean: a.sum / a.n, max: a.max, min: a.min }));
  return {
    layers, mean: layers.reduce((s, l) => s + l.mean, 0) / layers.length, max: Math.max(...layers.map((l) => l.max)),
    steps: Math.max(...layers.map((l) => l.steps)),
  };
}

export interface RoutingConsistency {
  /** Snapshots compared: epoch-end ones and the last step, in step order. */
  snapshots: { step: number; epoch: number; kind: string }[];
  /** Per layer, per consecutive pair. */
  layers: { layer: string; pairs: RoutingChange[]; meanChanged: number }[];
  /** Mean over layers and pairs of the fraction of probe images whose set changed. */
  meanChanged: number;
  probeImages: number;
}

/** Sets of expert ids → a 0/1 mask [N, E]. */
function maskOf(sets: number[][], e: number): Uint8Array {
  const m = new Uint8Array(sets.length * e);
  sets.forEach((s, i) => { for (const j of s) m[i * e + j] = 1; });
  return m;
}

export function routingConsistency(dir: string, numExperts: number): RoutingConsistency | null {
  const file = join(dir, 'routing-epochs.arrow');
  if (!existsSync(file)) return null;
  const t = readArrowFile(file, { kind: 'utf8', step: 'int32', epoch: 'float64', layer: 'utf8', example: 'int32', experts: 'list<int32>' });
  const kind = columnValues<string>(t, 'kind'), step = columnValues<number>(t, 'step'), epoch = columnValues<number>(t, 'epoch');
  const layer = columnValues<string>(t, 'layer'), example = columnValues<number>(t, 'example'), experts = columnValues<number[]>(t, 'experts');
  const lastStep = Math.max(-1, ...step);
  const snaps = new Map<number, { epoch: number; kind: string; layers: Map<string, number[][]> }>();
  kind.forEach((k, i) => {
    if (k === 'init' || (k === 'last-step' && step[i] !== lastStep)) return;
    const s = snaps.get(step[i]!) ?? { epoch: epoch[i]!, kind: k, layers: new Map<string, number[][]>() };
    const sets = s.layers.get(layer[i]!) ?? [];
    sets[example[i]!] = experts[i]!;
    s.layers.set(layer[i]!, sets);
    snaps.set(step[i]!, s);
  });
  const order = [...snaps.keys()].sort((a, b) => a - b);
  if (order.length < 2) return null;
  const layerNames = [...snaps.get(order[0]!)!.layers.keys()];
  const layers = layerNames.map((l) => {
    const pairs: RoutingChange[] = [];
    for (let i = 1; i < order.length; i++) {
      const a = snaps.get(order[i - 1]!)!.layers.get(l)!, b = snaps.get(order[i]!)!.layers.get(l)!;
      if (!a || !b || a.length !== b.length) throw new Error(`${file}: layer ${l} has different probe sets at steps ${order[i - 1]} and ${order[i]}`);
      pairs.push(routingChange(maskOf(a, numExperts), maskOf(b, numExperts), a.length, numExperts));
    }
    return { layer: l, pairs, meanChanged: pairs.reduce((s, p) => s + p.changedFraction, 0) / pairs.length };
  });
  return {
    snapshots: order.map((s) => ({ step: s, epoch: snaps.get(s)!.epoch, kind: snaps.get(s)!.kind })),
    layers, meanChanged: layers.reduce((s, l) => s + l.meanChanged, 0) / layers.length,
    probeImages: snaps.get(order[0]!)!.layers.get(layerNames[0]!)!.length,
  };
}
