// The data side of a task family: how a data-prep config becomes a prepared folder (splits as
// Arrow files plus whatever the task's readers need, e.g. tokenizer.json and stats.json). The
// generic data-prep stage looks the task up by the config's `task` and records its name in
// task.json, so downstream stages pick the same family. A family registers itself here from its
// own folder (src/tasks/<family>/); tasks/index.ts registers the built-in ones.
import type { DataPrepConfig } from './config.js';
import { DataPrepError } from './errors.js';

export interface PrepareHooks {
  log(message: string): void;
  record(key: string, value: unknown): void;
  env?: NodeJS.ProcessEnv;
}

export interface DataPrepTask {
  /** Name in configs (`"task": "summarisation"`). */
  readonly name: string;
  /** Load, validate and encode the examples; write every file of the prepared folder into `outDir`. Returns what the CLI reports (the task's stats). */
  prepare(cfg: DataPrepConfig, outDir: string, hooks: PrepareHooks): Promise<unknown>;
}

const tasks = new Map<string, DataPrepTask>();

/** Add a task family (a second registration of the same name is an error: names are global). */
export function registerDataPrepTask(task: DataPrepTask): void {
  const prev = tasks.get(task.name);
  if (prev && prev !== task) throw new DataPrepError(`task "${task.name}" is already registered`);
  tasks.set(task.name, task);
}

export function dataPrepTaskNames(): string[] {
  return [...tasks.keys()].sort();
}

/** The registered task, or an error naming the known ones. */
export function dataPrepTask(name: string): DataPrepTask {
  const t = tasks.get(name);
  if (!t) throw new DataPrepError(`unknown task "${name}"; registered tasks: ${dataPrepTaskNames().join(', ') || '(none)'}`);
  return t;
}
