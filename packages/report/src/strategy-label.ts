// The label of a one-pipeline run's strategy: the train stage's router type, followed by the
// options that differ from that router's defaults (the manifest records the resolved config, every
// default filled in), so top-2 and top-3 runs of one type never share a label while a router at
// its defaults is just its type. The defaults come from the router registry: no router name is
// interpreted here.
import { resolveRouterOptions, routerTypes } from '@switchyard/routers';

const shownValue = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** `{ type: 'linear-softmax-topk', topK: 3, …defaults }` → `linear-softmax-topk (topK=3)`; a router at its defaults → its type. */
export function strategyLabel(router: { type?: unknown; [option: string]: unknown } | null | undefined): string {
  if (!router || typeof router.type !== 'string') return 'unknown-router';
  let defaults: Record<string, unknown> = {};
  if (routerTypes().includes(router.type)) {
    try { defaults = resolveRouterOptions({ type: router.type }); } catch { /* options without defaults: show every option */ }
  }
  const shown = Object.entries(router)
    .filter(([k, v]) => k !== 'type' && JSON.stringify(defaults[k]) !== JSON.stringify(v))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return shown.length ? `${router.type} (${shown.map(([k, v]) => `${k}=${shownValue(v)}`).join(', ')})` : router.type;
}
