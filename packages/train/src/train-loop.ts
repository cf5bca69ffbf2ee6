// The training loop, generic over a TrainTask (model-core's Switch Transformer, or a toy model
// in tests). One step:
//   for each of `gradAccumSteps` micro-batches (seeded order):
//     parts = task.forward(batch)          CE + every router's aux losses, unweighted
//     loss  = totalLoss(parts)             the one visible weighted sum (model-core)
//     grads += ∂loss/∂(trainable params)   frozen parameters get no gradient
//   grads /= gradAccumSteps ; clip by global norm ; optimiser.apply(lr(step))
//   (the averaging and clipping factors are one scalar the optimiser folds into its update)
//   NaN/Inf guard on loss parts, gradients and parameters
//   every logEvery: metrics line + JSONL ; every checkpointEvery: atomic checkpoint
// Randomness: data order from (seed, epoch); everything else from one Rng whose state is in
// every checkpoint, so resume reproduces an uninterrupted run bit for bit.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ProgressLine, Rng, makeTable, writeArrowFile } from '@switchyard/runtime';
import { totalLoss } from '@switchyard/model-core';
import { summarizeLossParts } from './compose-loss.js';
import { createOptimizer, type OptimizerConfig } from './optim/index.js';
import { learningRate, type ScheduleConfig } from './schedule.js';
import { accumulate, clipCoefficient, disposeGrads, globalNorm, type GradMap } from './grad-utils.js';
import { batchAt, type DataPosition } from './data-order.js';
import { latestGoodCheckpoint, pruneCheckpoints, removeCheckpointsAfter, restoreWeights, saveTrainingCheckpoint, listCheckpoints } from './checkpoint.js';
import { writeFileAtomic, type FileContent } from './atomic-dir.js';
import { MetricsLog, ProgressBar, humanLine, type LayerRecord, type MetricsRecord } from './metrics-log.js';
import { NonFiniteError, firstNonFiniteGradient, firstNonFiniteParameter } from './nan-guard.js';
import { disposeRouting, layerStats, routingTensors } from './routing-stats.js';
import type { BatchSource, ForwardResult, LayerRouting, TrainTask } from './types.js';

export interface TrainLoopOptions<B> {
  task: TrainTask<B>;
  data: BatchSource<B>;
  /** Folder for checkpoints/, metrics.jsonl, timing.jsonl, metrics.arrow, routing.arrow. */
  runDir: string;
  seed: number;
  /** Optimiser updates to run. */
  totalSteps: number;
  batchSize: number;
  /** Micro-batches per update (gradients averaged). Defaults to 1. */
  gradAccumSteps?: number;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  /** Max global gradient norm; ≤ 0 disables clipping. Defaults to 1.0 (HF Trainer's max_grad_norm). */
  clipNorm?: number;
  /** Defaults to 10. */
  logEvery?: number;
  /** Checkpoint every N updates (0: only at the end). Defaults to 0. */
  checkpointEvery?: number;
  /** Checkpoints kept (HF save_total_limit). Defaults to 2. */
  keepCheckpoints?: number;
  /** Continue from the last good checkpoint of this run, if any. Defaults to true. */
  resume?: boolean;
  /** Extra identity of the run (model/data settings); a checkpoint of another run is refused. */
  fingerprint?: string;
  /** A batch for routing.arrow at the end (per layer, per real token, active experts). */
  heldOutBatch?: () => B;
  /** Extra files written into every checkpoint folder (SwitchTask: the HF checkpoint). */
  checkpointFiles?: () => Record<string, FileContent>;
  log?: (line: string) => void;
  /** Called after every update (after its checkpoint, if any). */
  onStep?: (info: { step: number; checkpoint?: string }) => void | Promise<void>;
}

export interface TrainResult {
  steps: number;
  /** Total loss of the last update. */
  finalLoss: number;
  /** Folder of the final checkpoint. */
  finalCheckpoint: string;
  /** Step resumed from, if the run continued a previous one. */
  resumedFrom?: number;
  metricsPath: string;
  routingPath?: string;
  /** Loss parts on the held-out batch in eval mode (`ce`, `layer/name`…), when one was given. */
  heldOutLoss?: Record<string, number>;
}

/** Stable identity of the run's settings (not of wall-clock or logging choices). */
export function runFingerprint(o: Pick<TrainLoopOptions<unknown>, 'seed' | 'totalSteps' | 'batchSize' | 'gradAccumSteps' | 'optimizer' | 'schedule' | 'clipNorm' | 'fingerprint'>): string {
  const s = JSON.stringify({ seed: o.seed, totalSteps: o.totalSteps, batchSize: o.batchSize, accum: o.gradAccumSteps ?? 1, optimizer: o.optimizer, schedule: o.schedule, clip: o.clipNorm ?? 1, extra: o.fingerprint ?? '' });
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}

function layerRecord(r: LayerRouting): LayerRecord {
  const s = layerStats(r);
  return { expert_load: s.expertLoad, dropped_fraction: s.droppedFraction, mean_active_experts: s.meanActiveExperts, router_entropy: s.routerEntropy, router_confidence: s.routerConfidence };
}

/** Run (or resume) training. Throws NonFiniteError when a NaN/Inf appears. */
export async function trainLoop<B>(o: TrainLoopOptions<B>): Promise<TrainResult> {
  const log = o.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const accumSteps = o.gradAccumSteps ?? 1;
  const clipNorm = o.clipNorm ?? 1;
  const logEvery = o.logEvery ?? 10;
  const ckptEvery = o.checkpointEvery ?? 0;
  const keep = o.keepCheckpoints ?? 2;
  const ckptDir = join(o.runDir, 'checkpoints');
  const fingerprint = runFingerprint(o);
  mkdirSync(o.runDir, { recursive: true });

  const params = o.task.parameters();
  // Re-read every step: a router may freeze its gate part-way (variable.trainable = false).
  const trainableNow = () => params.filter((p) => !p.frozen && p.variable.trainable);
  const byVarName = new Map(params.map((p) => [p.variable.name, p.name]));
  const optimizer = createOptimizer(o.optimizer);
  const metrics = new MetricsLog(o.runDir);
  let rng = new Rng(o.seed).fork('train');
  let step = 0;
  let pos: DataPosition = { epoch: 0, batchInEpoch: 0 };
  let resumedFrom: number | undefined;
  let lastGood: string | undefined;

  const found = o.resume === false ? undefined : latestGoodCheckpoint(ckptDir, log);
  if (found && found.state.fingerprint !== fingerprint) {
    throw new Error(`${found.path}: checkpoint of a different run (fingerprint ${found.state.fingerprint}, this run ${fingerprint}); remove ${o.runDir} or pass resume: false`);
  }
  if (found) {
    restoreWeights(params, found.weights, found.path);
    optimizer.importState(found.optimizer);
    rng = new Rng(found.state.rng);
    step = found.state.step;
    pos = found.state.position;
    resumedFrom = step;
    lastGood = found.path;
    removeCheckpointsAfter(ckptDir, step);
    metrics.truncateAfter(step);
    log(`resuming from ${found.path} (step ${step})`);
  } else {
    rmSync(ckptDir, { recursive: true, force: true });
    metrics.reset();
  }
  rmSync(join(o.runDir, 'failure.json'), { force: true });

  const bar = new ProgressBar(o.totalSteps);
  // ETA from the steps of this process (a resumed run's earlier steps do not count).
  const eta = new ProgressLine({ total: o.totalSteps, what: 'step', log, startDone: step });
  let permCache: { epoch: number; perm: Int32Array } | undefined;
  let intervalMs = 0;
  let intervalTokens = 0;
  let intervalSteps = 0;
  // A resumed run that had already finished trains nothing: report the last logged loss.
  let lastLoss = metrics.records().at(-1)?.loss ?? NaN;

  const fail = (tensor: string): never => {
    const err = new NonFiniteError(step + 1, tensor, lastGood);
    const goodStep = lastGood ? listCheckpoints(ckptDir).find((c) => c.path === lastGood)?.step ?? 0 : 0;
    metrics.truncateAfter(goodStep, true);
    writeFileAtomic(join(o.runDir, 'failure.json'), JSON.stringify({ error: 'non-finite', step: step + 1, tensor, lastGoodCheckpoint: lastGood ?? null }, null, 1) + '\n');
    bar.clear();
    throw err;
  };

  try {
    while (step < o.totalSteps) {
      const t0 = performance.now();
      const trainable = trainableNow();
      const lr = learningRate(o.schedule, step, o.totalSteps);
      const isLog = (step + 1) % logEvery === 0 || step + 1 === o.totalSteps;
      let acc: GradMap = {};
      let tokens = 0;
      let lossSum = 0;
      let summary: ReturnType<typeof summarizeLossParts> | undefined;
      let routing: LayerRouting[] | undefined;
      for (let micro = 0; micro < accumSteps; micro++) {
        const b = batchAt(o.seed, o.data.numExamples, o.batchSize, pos, permCache);
        permCache = b.perm;
        pos = b.next;
        const batch = o.data.makeBatch(b.indices);
        tokens += o.data.tokenCount(batch);
        const wantRouting = isLog && micro === accumSteps - 1;
        let out: ForwardResult | undefined;
        let res: { value: tf.Scalar; grads: tf.NamedTensorMap };
        try {
          res = tf.variableGrads(() => {
            out = o.task.forward(batch, { training: true, rng, step, wantRouting });
            for (const p of out.parts) tf.keep(p.value);
            for (const r of out.routing ?? []) for (const t of routingTensors(r)) tf.keep(t);
            return totalLoss(out.parts);
          }, trainable.map((p) => p.variable));
        } finally {
          o.data.disposeBatch(batch);
        }
        const parts = out!.parts;
        const values = Array.from(tf.tidy(() => tf.stack([res.value, ...parts.map((p) => p.value)]).dataSync()));
        tf.dispose(parts.map((p) => p.value));
        if (wantRouting) routing = out!.routing; else disposeRouting(out!.routing);
        const grads: GradMap = {};
        for (const [vn, g] of Object.entries(res.grads)) grads[byVarName.get(vn)!] = g;
        res.value.dispose();
        if (!Number.isFinite(values[0]!)) {
          disposeGrads(grads); disposeGrads(acc); disposeRouting(routing);
          const bad = parts.findIndex((_, i) => !Number.isFinite(values[i + 1]!));
          fail(bad >= 0 ? `loss part ${parts[bad]!.layer ? parts[bad]!.layer + '/' : ''}${parts[bad]!.name}` : 'loss total');
        }
        lossSum += values[0]!;
        if (micro === accumSteps - 1) summary = summarizeLossParts(parts, values.slice(1));
        accumulate(acc, grads);
        disposeGrads(grads);
      }
      const normT = globalNorm(acc);
      const gradNorm = normT.dataSync()[0]! / accumSteps; // ‖mean of the micro-batch gradients‖
      normT.dispose();
      if (!Number.isFinite(gradNorm)) {
        const bad = firstNonFiniteGradient(acc);
        disposeGrads(acc); disposeRouting(routing);
        fail(bad ? `gradient ${bad}` : 'gradient norm');
      }
      optimizer.apply(trainable, acc, lr, clipCoefficient(clipNorm, gradNorm) / accumSteps);
      disposeGrads(acc);
      const badParam = firstNonFiniteParameter(trainable);
      if (badParam) { disposeRouting(routing); fail(`parameter ${badParam}`); }
      step += 1;
      lastLoss = lossSum / accumSteps;
      intervalMs += performance.now() - t0;
      intervalTokens += tokens;
      intervalSteps += 1;

      let checkpoint: string | undefined;
      if ((ckptEvery > 0 && step % ckptEvery === 0) || step === o.totalSteps) {
        checkpoint = saveTrainingCheckpoint(ckptDir, { step, position: pos, rng: rng.state(), params, optimizer, fingerprint, extraFiles: o.checkpointFiles?.() });
        lastGood = checkpoint;
        pruneCheckpoints(ckptDir, keep);
      }
      if (isLog) {
        const layers: Record<string, LayerRecord> = {};
        for (const r of routing ?? []) layers[r.layer] = layerRecord(r);
        disposeRouting(routing);
        const rec: MetricsRecord = {
          step, epoch: pos.epoch, lr, loss: lastLoss, ce: summary!.ce, aux: summary!.aux, loss_parts: summary!.perLayer,
          grad_norm: gradNorm, tokens, layers,
        };
        const timing = { step, ms_per_step: intervalMs / intervalSteps, tokens_per_s: (1000 * intervalTokens) / Math.max(1e-9, intervalMs) };
        metrics.append(rec, timing);
        bar.clear();
        log(humanLine(rec, timing, { total: o.totalSteps, etaSeconds: eta.etaSeconds(step) }));
        intervalMs = 0; intervalTokens = 0; intervalSteps = 0;
      }
      bar.update(step);
      await o.onStep?.({ step, checkpoint });
    }
  } finally {
    optimizer.dispose();
  }
  bar.clear();

  const finalCheckpoint = listCheckpoints(ckptDir).at(-1)?.path;
  if (!finalCheckpoint) throw new Error(`${ckptDir}: no checkpoint after training`);
  const { metrics: metricsPath } = metrics.writeArrow();
  let routingPath: string | undefined;
  let heldOutLoss: Record<string, number> | undefined;
  if (o.heldOutBatch) ({ path: routingPath, losses: heldOutLoss } = writeRoutingTable(o.task, o.heldOutBatch, join(o.runDir, 'routing.arrow'), o.data, step));
  return { steps: step, finalLoss: lastLoss, finalCheckpoint, resumedFrom, metricsPath, routingPath, heldOutLoss };
}

/**
 * routing.arrow: for each sparse layer and each real token of a held-out batch (eval mode),
 * the number of experts computing it. Columns `layer` utf8, `active_experts` int32.
 */
export function writeRoutingTable<B>(task: TrainTask<B>, makeBatch: () => B, path: string, data: Pick<BatchSource<B>, 'disposeBatch'>, step: number): { path: string; losses: Record<string, number> } {
  const batch = makeBatch();
  const layers: string[] = [];
  const active: number[] = [];
  const losses: Record<string, number> = {};
  try {
    // A manual scope: tidy cannot return the LayerRouting records, so keep their tensors and let
    // endScope dispose everything else the forward pass made.
    tf.engine().startScope();
    let routing: LayerRouting[] = [];
    try {
      const out = task.forward(batch, { training: false, rng: new Rng(0).fork('routing-eval'), step, wantRouting: true });
      routing = out.routing ?? [];
      for (const r of routing) for (const t of routingTensors(r)) tf.keep(t);
      const values = tf.stack(out.parts.map((p) => p.value)).dataSync();
      out.parts.forEach((p, i) => { losses[p.layer ? `${p.layer}/${p.name}` : p.name] = values[i]!; });
    } finally {
      tf.engine().endScope();
    }
    for (const r of routing) {
      const s = layerStats(r);
      for (const a of s.activePerToken) { layers.push(r.layer); active.push(a); }
    }
    disposeRouting(routing);
  } finally {
    data.disposeBatch(batch);
  }
  if (!existsSync(path.replace(/[^/]+$/, ''))) mkdirSync(path.replace(/[^/]+$/, ''), { recursive: true });
  writeArrowFile(path, makeTable({ layer: { kind: 'utf8', values: layers }, active_experts: { kind: 'int32', values: Int32Array.from(active) as unknown as number[] } }));
  return { path, losses };
}
