// One toy training run through the public loop API, shared by the tests and the kill runner.
import { trainLoop, type TrainLoopOptions, type TrainResult } from '../../src/train-loop.js';
import { ToySource, ToyTask, type ToyBatch } from './toy-task.js';

export type ToyRunOptions = Partial<Omit<TrainLoopOptions<ToyBatch>, 'task' | 'data'>> & { runDir: string; examples?: number };

export async function runToy(o: ToyRunOptions): Promise<TrainResult & { task: ToyTask }> {
  const seed = o.seed ?? 7;
  const task = new ToyTask(seed);
  const data = new ToySource(seed, o.examples ?? 40);
  const heldOut = new ToySource(seed + 1000, 4);
  try {
    const r = await trainLoop<ToyBatch>({
      seed, totalSteps: 12, batchSize: 8, logEvery: 2, checkpointEvery: 4,
      optimizer: { type: 'adamw' }, schedule: { type: 'linear', lr: 0.05 }, log: () => {},
      heldOutBatch: () => heldOut.makeBatch(Int32Array.from([0, 1, 2, 3])),
      ...o, task, data,
    });
    return { ...r, task };
  } catch (e) {
    task.dispose();
    throw e;
  }
}
