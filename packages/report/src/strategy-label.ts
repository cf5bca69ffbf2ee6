// The label of a one-pipeline run's strategy: the train stage's router type, with the options
// that tell two configs of one type apart (a top-k router's k goes into the name: `-topk` with
// topK 3 → `-top3`; any other option is listed), so top-2 and top-3 runs never share a label.

/** `{ type: 'linear-softmax-topk', topK: 3 }` → `linear-softmax-top3`; `{ type: 'smoe', topK: 1, noise: 'noisy-top-k' }` → `smoe (noise=noisy-top-k, topK=1)`. */
export function strategyLabel(router: { type?: unknown; [option: string]: unknown } | null | undefined): string {
  if (!router || typeof router.type !== 'string') return 'unknown-router';
  let name = router.type;
  const rest = Object.entries(router).filter(([k]) => k !== 'type');
  const k = router.topK;
  const inName = name.endsWith('-topk') && Number.isInteger(k);
  if (inName) name = `${name.slice(0, -'-topk'.length)}-top${k as number}`;
  const shown = rest.filter(([key]) => !(inName && key === 'topK')).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return shown.length ? `${name} (${shown.map(([key, v]) => `${key}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')})` : name;
}
