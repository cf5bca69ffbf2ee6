// When a checkpoint's tensors do not fit the model its config.json describes, say which config
// field disagrees with which tensor (and both shapes), instead of the first unexpected or
// missing key (`unexpected key "…expert_4…"` for a config with num_experts 4 and tensors with 8).
// Only headers are consulted: tensor names and shapes. Each rule ties one dimension of a
// parameter to the config field it comes from (shapes in checkpoint (torch) layout).
import type { SwitchConfig } from './config.js';

/** The checkpoint side: key names, their shapes and the file holding each. */
export interface CheckpointShapes { keys(): string[]; shapeOf(key: string): number[]; fileOf(key: string): string }

interface DimRule { field: string; key: RegExp; dim: number; value(cfg: SwitchConfig): number }

// Shapes (torch layout): shared.weight [vocab, d_model]; router classifier [experts, d_model];
// wi [d_ff, d_model]; relative_attention_bias [buckets, heads]; q [heads × d_kv, d_model].
const DIM_RULES: DimRule[] = [
  { field: 'vocab_size', key: /^shared\.weight$/, dim: 0, value: (c) => c.vocab_size },
  { field: 'd_model', key: /^shared\.weight$/, dim: 1, value: (c) => c.d_model },
  { field: 'd_model', key: /\.layer_norm\.weight$/, dim: 0, value: (c) => c.d_model },
  { field: 'num_experts', key: /\.mlp\.router\.classifier\.weight$/, dim: 0, value: (c) => c.num_experts },
  { field: 'd_ff', key: /\.mlp\.(experts\.expert_\d+\.)?wi\.weight$/, dim: 0, value: (c) => c.d_ff },
  { field: 'relative_attention_num_buckets', key: /\.relative_attention_bias\.weight$/, dim: 0, value: (c) => c.relative_attention_num_buckets },
  { field: 'num_heads', key: /\.relative_attention_bias\.weight$/, dim: 1, value: (c) => c.num_heads },
  { field: 'num_heads × d_kv', key: /\.SelfAttention\.q\.weight$/, dim: 0, value: (c) => c.num_heads * c.d_kv },
];

const shape = (s: readonly number[]) => `[${s.join(', ')}]`;

function blocksOf(keys: Iterable<string>, stack: string, only?: RegExp): Set<number> {
  const out = new Set<number>();
  const re = new RegExp(`^${stack}\\.block\\.(\\d+)\\.`);
  for (const k of keys) {
    const m = re.exec(k);
    if (m && (!only || only.test(k))) out.add(Number(m[1]));
  }
  return out;
}

function expertsOf(keys: Iterable<string>): Set<number> {
  const out = new Set<number>();
  for (const k of keys) { const m = /\.mlp\.experts\.expert_(\d+)\./.exec(k); if (m) out.add(Number(m[1])); }
  return out;
}

const list = (s: Set<number>) => (s.size ? [...s].sort((a, b) => a - b).join(', ') : 'none');

/**
 * A sentence naming the config field that disagrees with the checkpoint's tensors, or undefined
 * when no rule explains the difference. `model` maps the model's parameter names (built from the
 * config) to their checkpoint-layout shapes.
 */
export function explainConfigMismatch(cfg: SwitchConfig, model: ReadonlyMap<string, readonly number[]>, ckpt: CheckpointShapes, configFile: string): string | undefined {
  const keys = ckpt.keys();
  const inCheckpoint = new Set(keys);
  for (const r of DIM_RULES) {
    // Only a disagreement shared by every such tensor (in this one dimension alone) is the
    // config's fault; one odd tensor keeps the plain shape message.
    const hits = [...model.keys()].filter((x) => r.key.test(x) && inCheckpoint.has(x));
    const got = hits.map((k) => ckpt.shapeOf(k));
    const differs = (g: number[], want: readonly number[]) => g.length === want.length && g[r.dim] !== want[r.dim] && g.every((d, i) => i === r.dim || d === want[i]);
    if (!hits.length || !hits.every((k, i) => differs(got[i]!, model.get(k)!) && got[i]![r.dim] === got[0]![r.dim])) continue;
    const k = hits[0]!, want = model.get(k)!;
    if (want[r.dim] !== r.value(cfg)) continue;
    return `${configFile}: "${r.field}" is ${r.value(cfg)}, but the checkpoint's tensors have ${got[0]![r.dim]}: "${k}" in ${ckpt.fileOf(k)} has shape ${shape(got[0]!)}, this config gives ${shape(want)}. Fix "${r.field}" in config.json (or use the checkpoint this config belongs to)`;
  }
  const modelKeys = [...model.keys()];
  const layerFields: [string, string, number][] = [['encoder', 'num_layers', cfg.num_layers], ['decoder', 'num_decoder_layers', cfg.num_decoder_layers]];
  for (const [stack, field, value] of layerFields) {
    const have = blocksOf(keys, stack), want = blocksOf(modelKeys, stack);
    if (have.size === 0 || have.size === want.size) continue;
    const extra = keys.find((k) => { const m = new RegExp(`^${stack}\\.block\\.(\\d+)\\.`).exec(k); return m !== null && !want.has(Number(m[1])); });
    const firstMissing = modelKeys.find((k) => { const m = new RegExp(`^${stack}\\.block\\.(\\d+)\\.`).exec(k); return m !== null && !have.has(Number(m[1])); });
    return `${configFile}: "${field}" is ${value}, but the checkpoint has ${have.size} ${stack} blocks (${stack}.block.${list(have)}): ` +
      (extra ? `"${extra}" in ${ckpt.fileOf(extra)} has no place in a ${value}-block ${stack}` : `"${firstMissing}" is not in the checkpoint`);
  }
  // Experts: every sparse layer of the checkpoint must hold the same number, unlike the config's.
  const perLayer = new Map<string, Set<number>>();
  for (const k of keys) {
    const m = /^(.*\.mlp)\.experts\.expert_(\d+)\./.exec(k);
    if (m) perLayer.set(m[1]!, (perLayer.get(m[1]!) ?? new Set()).add(Number(m[2])));
  }
  const counts = new Set([...perLayer.values()].map((e) => e.size));
  const have = expertsOf(keys), want = expertsOf(modelKeys);
  if (counts.size === 1 && have.size !== want.size) {
    const extra = keys.find((k) => { const m = /\.mlp\.experts\.expert_(\d+)\./.exec(k); return m !== null && !want.has(Number(m[1])); });
    return `${configFile}: "num_experts" is ${cfg.num_experts}, but the checkpoint has ${have.size} experts per sparse layer (expert_${list(have).replace(/, /g, ', expert_')})` +
      (extra ? `: "${extra}" in ${ckpt.fileOf(extra)} has no place in a ${cfg.num_experts}-expert layer` : '');
  }
  const sparseFields: [string, string, number][] = [['encoder', 'encoder_sparse_step', cfg.encoder_sparse_step], ['decoder', 'decoder_sparse_step', cfg.decoder_sparse_step]];
  for (const [stack, field, value] of sparseFields) {
    const moe = /\.mlp\.(experts|router)\./;
    const haveSparse = blocksOf(keys, stack, moe), wantSparse = blocksOf(modelKeys, stack, moe);
    if (blocksOf(keys, stack).size === 0 || list(haveSparse) === list(wantSparse)) continue;
    return `${configFile}: "${field}" is ${value} (sparse ${stack} blocks: ${list(wantSparse)}), but the checkpoint has experts in ${stack} blocks ${list(haveSparse)}. ` +
      `Set "${field}" (HF: block i is sparse when i % step == 1; step 1: every block) to match the checkpoint`;
  }
  return undefined;
}
