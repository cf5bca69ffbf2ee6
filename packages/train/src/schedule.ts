// Learning-rate schedules as pure functions of the step (0-based index of the update about to be
// applied), with the same shapes as HF transformers' schedulers, so lr(0) of `linear` without
// warmup is the peak lr (the study's setting: 5e-5, linear decay to 0, no warmup).
export type ScheduleType = 'constant' | 'linear' | 'inverse-sqrt' | 'cosine';

export interface ScheduleConfig {
  type: ScheduleType;
  /** Peak learning rate. */
  lr: number;
  /** Linear warmup steps from 0 to `lr`. Defaults to 0. */
  warmupSteps?: number;
}

/** Learning rate of update `step` (0-based) out of `totalSteps`. */
export function learningRate(cfg: ScheduleConfig, step: number, totalSteps: number): number {
  const warmup = cfg.warmupSteps ?? 0;
  if (step < warmup) return cfg.lr * (step / Math.max(1, warmup));
  switch (cfg.type) {
    case 'constant':
      return cfg.lr;
    case 'linear':
      // get_linear_schedule_with_warmup: max(0, (T − s) / (T − w))
      return cfg.lr * Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmup));
    case 'inverse-sqrt': {
      // T5/fairseq style: lr · √(w / s) after warmup (w = 1 without warmup, so lr(0) = lr).
      const w = Math.max(1, warmup);
      return cfg.lr * Math.sqrt(w / Math.max(step, w));
    }
    case 'cosine': {
      // get_cosine_schedule_with_warmup with half a cycle: 0.5·(1 + cos(π·progress))
      const progress = (step - warmup) / Math.max(1, totalSteps - warmup);
      return cfg.lr * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
  }
}
