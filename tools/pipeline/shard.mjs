// Splitting a sweep over machines (tools/pipeline/run-shard.mjs): runs (pipeline × seed, in file
// order) dealt round-robin, shard I (1-based) of N taking runs I, I+N, I+2N…, with every stage
// those runs need (shared stages appear in each shard that needs them).

/** "I/N" → { i, n }, or an Error saying what is expected. */
export function parseShard(text) {
  const m = /^(\d+)\/(\d+)$/.exec(text ?? '');
  if (!m) return new Error(`--shard=${text ?? ''}: expected I/N, e.g. --shard=1/2`);
  const [i, n] = [Number(m[1]), Number(m[2])];
  if (n < 1 || i < 1 || i > n) return new Error(`--shard=${text}: I must be between 1 and N`);
  return { i, n };
}

/** The runs of shard i of n and the content keys of every stage they need (deduplicated, in run order). */
export function shardOf(sweep, i, n) {
  const runs = sweep.runs.filter((_, k) => k % n === i - 1);
  const keys = [...new Set(runs.flatMap((r) => r.resolved.stages.map((s) => s.key)))];
  return { runs, keys };
}
