// The evaluation side of a task family: given the prepared data, a checkpoint and the eval
// config, write the eval outputs (predictions, per-example scores) and return the metric record
// (metric-record.ts). The generic eval stage looks the evaluator up by the task the data was
// prepared for; a family registers its evaluator from its own file (src/tasks/<family>.ts),
// tasks/index.ts registers the built-in ones.
import type { EvalStageConfig } from './eval-stage-config.js';
import type { MetricRecord } from './metric-record.js';

export interface EvaluateArgs {
  config: EvalStageConfig;
  /** Prepared data folder (its `config.split` is evaluated). */
  dataDir: string;
  /** Model folder (config.json + weights). */
  checkpointDir: string;
  seed: number;
  outDir: string;
  log(message: string): void;
  /** Add a field to the stage manifest's `extra`. */
  record(key: string, value: unknown): void;
}

export interface Evaluator {
  /** Task name, as data-prep's `task`. */
  readonly task: string;
  evaluate(a: EvaluateArgs): Promise<MetricRecord>;
}

const evaluators = new Map<string, Evaluator>();

export function registerEvaluator(e: Evaluator): void {
  const prev = evaluators.get(e.task);
  if (prev && prev !== e) throw new Error(`eval: task "${e.task}" already has an evaluator`);
  evaluators.set(e.task, e);
}

export function evaluatorTasks(): string[] {
  return [...evaluators.keys()].sort();
}

export function evaluatorFor(task: string): Evaluator {
  const e = evaluators.get(task);
  if (!e) throw new Error(`eval: no evaluator for task "${task}"; tasks with one: ${evaluatorTasks().join(', ') || '(none)'}`);
  return e;
}
