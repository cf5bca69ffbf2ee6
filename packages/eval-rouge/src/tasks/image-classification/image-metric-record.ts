// The metric record of an image-classification evaluation (what the report shows and how):
// accuracy is the headline; every MOESART measure is a column with its direction.
import type { MetricRecord, MetricSpec } from '../../metric-record.js';

export interface ImageMeasures {
  examples: number;
  split: string;
  accuracy: { value: number; interval: { low: number; high: number } | null };
  macroF1: { value: number; interval: { low: number; high: number } | null };
  crossEntropy: number;
  activeTraining: { mean: number; max: number; source: string };
  activeInference: { mean: number; max: number };
  distanceTraining: number;
  distanceInference: number;
  routingChange: { value: number; pairs: number; probeImages: number } | null;
  loadCv2: number;
  bootstrap: { samples: number; confidence: number; seed: number } | null;
}

const spec = (name: string, label: string, higherIsBetter: boolean, digits: number, scale = 1): Omit<MetricSpec, 'value' | 'perExample' | 'interval'> =>
  ({ name, label, higherIsBetter, scale, digits, overSeeds: 'mean-sample-std' });

export function imageMetricRecord(m: ImageMeasures): MetricRecord {
  const iv = (i: { low: number; high: number } | null) => (i ? { low: i.low, high: i.high } : null);
  const metrics: MetricSpec[] = [
    { ...spec('accuracy', 'Accuracy', true, 2, 100), perExample: { file: 'scores.arrow', column: 'correct' }, interval: iv(m.accuracy.interval) },
    { ...spec('loss', 'Test loss (CE)', false, 4), perExample: { file: 'scores.arrow', column: 'cross_entropy' }, interval: null },
    { ...spec('macro_f1', 'Macro-F1', true, 2, 100), value: m.macroF1.value, interval: iv(m.macroF1.interval) },
    { ...spec('active_train', 'Experts/example (train)', false, 3), value: m.activeTraining.mean, interval: null },
    { ...spec('max_active_train', 'Max experts/example (train)', false, 0), value: m.activeTraining.max, interval: null },
    { ...spec('active_inference', 'Experts/example (inference)', false, 3), value: m.activeInference.mean, interval: null },
    { ...spec('dense_distance_train', '½‖w−softmax‖₁ (train)', false, 4), value: m.distanceTraining, interval: null },
    { ...spec('dense_distance_inference', '½‖w−softmax‖₁ (inference)', false, 4), value: m.distanceInference, interval: null },
  ];
  if (m.routingChange) metrics.push({ ...spec('routing_change', 'Routing change / epoch', false, 4), value: m.routingChange.value, interval: null });
  metrics.push({ ...spec('load_cv2', 'Expert load CV²', false, 3), value: m.loadCv2, interval: null });
  const boot = m.bootstrap ? `${m.bootstrap.samples} percentile-bootstrap resamples of the ${m.examples} images, ${Math.round(m.bootstrap.confidence * 100)} % (seed ${m.bootstrap.seed})` : 'no bootstrap (config bootstrap: false)';
  return {
    task: 'image-classification', split: m.split, examples: m.examples, metrics, primary: 'accuracy',
    report: {
      valueNote: `Image classification on the ${m.split} split (${m.examples} images): accuracy and macro-F1 ×100, the rest as measured`,
      intervalNote: `Each eval stage bootstraps its own interval of accuracy and macro-F1: ${boot}`,
      intervalName: 'bootstrap',
      axisTitle: 'accuracy (%)',
      plotName: 'accuracy-vs-flops',
      method: [
        'Accuracy: share of the evaluated images whose arg-max class is the label; Test loss: mean cross-entropy −log softmax(z)[y] (float64).',
        'Macro-F1: mean over classes of 2·TP/(2·TP+FP+FN) (scikit-learn average="macro").',
        `Experts/example (train): experts computing each example (non-zero dispatch; E for a dense-compute router), over ${m.activeTraining.source}, mean over examples and MoE layers; Max: the largest count in any training step and layer.`,
        'Experts/example (inference): the same on an inference pass over the evaluated images.',
        '½‖w−softmax‖₁: per image ½ Σ_e |w_e − softmax(router logits)_e|, w the combine weights the router used (training mode: its training-time sampling/noise, seeded; inference: eval mode); mean over images and layers; 0 = combines exactly as the dense softmax router on the same gate.',
        m.routingChange
          ? `Routing change / epoch: share of the ${m.routingChange.probeImages} probe images (first images of the held-out split) whose selected expert set differs between consecutive epoch-end snapshots of training (inference mode), mean over ${m.routingChange.pairs} pair(s) and the layers; lower = more consistent routing.`
          : 'Routing change / epoch: not measured for this model (fewer than two epoch-end snapshots).',
        'Expert load CV²: Var/Mean² of the images dispatched to each expert at inference, mean over layers (0 = balanced).',
      ],
    },
  };
}
