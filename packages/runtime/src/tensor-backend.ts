// What the stage contract knows about tensor backends, without depending on one: the description
// a manifest records (`BackendInfo`) and a slot the tensor engine fills with its initialiser when
// it is loaded (packages/tensor-engine/src/backend.ts calls `provideTensorBackend`). The runner
// initialises a backend only for stages that declare `usesTensors`; such a stage's package loads
// the tensor engine, so the slot is filled by the time the runner needs it.

export const BACKEND_NAMES = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendInfo {
  /** Switchyard's name for the backend. */
  name: BackendName;
  /** The name tfjs registered it under (`tensorflow`, `wasm`, `cpu`). */
  tfjsBackend: string;
  /** Worker threads the backend computes with. */
  threads: number;
  /** tfjs version the kernels were checked against. */
  tfjsVersion: string;
  /** The optional native kernels (packages/native-kernels) when active on WASM, else null. */
  native: { library: string; threads: number; coreType: string } | null;
}

/** Chooses and activates a backend once per process (`requested` wins over the environment). */
export type TensorBackendInit = (requested?: string) => Promise<BackendInfo>;

let provided: TensorBackendInit | undefined;

/** Called by the tensor engine when it loads. */
export function provideTensorBackend(init: TensorBackendInit): void {
  provided = init;
}

/** The tensor engine's initialiser, or undefined when no loaded package brought the engine in. */
export function tensorBackendInit(): TensorBackendInit | undefined {
  return provided;
}
