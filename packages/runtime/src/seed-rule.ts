// The one seed rule. A stage's random draws are seeded by, in this order: the `seed` key of its
// config, the stage's `seed` in the pipeline file (a sweep sets it per run), the pipeline's
// `seed` (default 42). Commands outside a pipeline (`switchyard train`, `switchyard flops`) treat
// their `--seed` option as the stage seed: a `seed` in the config file still wins.

/** The seed a stage (or command) uses: its config's integer `seed` if set, else `fallback`. */
export function resolveSeed(config: unknown, fallback: number): number {
  const own = config && typeof config === 'object' ? (config as { seed?: unknown }).seed : undefined;
  return Number.isInteger(own) ? (own as number) : fallback;
}
