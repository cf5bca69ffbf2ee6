// Tensor backend selection (docs/design.md §4).
// Order: tfjs-node-gpu (CUDA) → tfjs-node → WASM → CPU. SWITCHYARD_BACKEND or --backend forces one.
// The native tfjs-node packages are optional dependencies: they download libtensorflow when
// installed, which fails offline, so they are loaded with a guarded dynamic import.
import * as tf from '@tensorflow/tfjs';
import { nativeKernelInfo, registerMissingKernels } from './kernels/register.js';
import { enableWasmThreads, requestedWasmThreads } from './kernels/wasm-threads.js';
import { BACKEND_NAMES, provideTensorBackend, type BackendInfo, type BackendName } from '@switchyard/runtime';

let active: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;

export class BackendError extends Error {}

export function parseBackendName(value: string, source: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new BackendError(
    `unknown backend "${value}" (from ${source}); allowed: ${BACKEND_NAMES.join(', ')}`,
  );
}

async function tryNative(pkg: string): Promise<boolean> {
  try {
    // The specifier is a variable so bundlers and tsc do not require the optional package.
    await import(pkg);
    return tf.findBackend('tensorflow') !== null;
  } catch {
    return false;
  }
}

async function activate(name: BackendName): Promise<BackendInfo> {
  let tfjsBackend: string;
  let threads = 1;
  if (name === 'node-gpu' || name === 'node') {
    const pkg = name === 'node-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
    if (!(await tryNative(pkg))) throw new BackendError(`backend "${name}" requested but ${pkg} is not installed or its native addon failed to load`);
    tfjsBackend = 'tensorflow';
  } else if (name === 'wasm') {
    // SWITCHYARD_WASM_THREADS=2 opts into two XNNPACK threads (docs/design.md §4); 1 is the fallback.
    enableWasmThreads(requestedWasmThreads(), (why) => process.stderr.write(`switchyard: WASM threads unavailable (${why}); using 1\n`));
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    tfjsBackend = 'wasm';
    if (!(await tf.setBackend('wasm'))) throw new BackendError('the tfjs WASM backend failed to initialise');
    threads = wasm.getThreadsCount();
  } else {
    tfjsBackend = 'cpu';
  }
  if (!(await tf.setBackend(tfjsBackend))) throw new BackendError(`tfjs could not activate backend "${tfjsBackend}"`);
  await tf.ready();
  registerMissingKernels(tfjsBackend);
  const native = tfjsBackend === 'wasm' ? nativeKernelInfo() : null;
  return { name, tfjsBackend, threads, tfjsVersion: tf.version_core, native: native ? { ...native } : null };
}

/**
 * Choose and activate the tensor backend once per process. `requested` (e.g. from `--backend`)
 * wins over `SWITCHYARD_BACKEND`; with neither, the best available backend is used.
 */
export function initBackend(requested?: string, opts: { quiet?: boolean } = {}): Promise<BackendInfo> {
  if (pending) return pending;
  pending = (async () => {
    let info: BackendInfo;
    const forced = requested ?? process.env.SWITCHYARD_BACKEND;
    if (forced !== undefined && forced !== '') {
      const source = requested !== undefined ? '--backend' : 'SWITCHYARD_BACKEND';
      info = await activate(parseBackendName(forced, source));
    } else if (await tryNative('@tensorflow/tfjs-node-gpu')) {
      info = await activate('node-gpu');
    } else if (await tryNative('@tensorflow/tfjs-node')) {
      info = await activate('node');
    } else {
      try {
        info = await activate('wasm');
      } catch {
        info = await activate('cpu');
      }
    }
    active = info;
    if (!opts.quiet && process.env.SWITCHYARD_QUIET_BACKEND !== '1') {
      const nat = info.native ? `, native kernels on ${info.native.library} (${info.native.coreType}, ${info.native.threads} native thread${info.native.threads === 1 ? '' : 's'})` : ', native kernels off';
      process.stderr.write(`switchyard: backend ${info.name} (tfjs ${info.tfjsBackend} ${info.tfjsVersion}), ${info.threads} thread${info.threads === 1 ? '' : 's'}${nat}\n`);
    }
    return info;
  })();
  pending.catch(() => { pending = undefined; });
  return pending;
}

/** The active backend; throws if `initBackend` has not completed. */
export function backendInfo(): BackendInfo {
  if (!active) throw new BackendError('tensor backend not initialised: call initBackend() first');
  return active;
}

// The stage runner (packages/runtime/src/run-stage.ts) activates a backend through this, for
// stages that declare `usesTensors`, without importing the tensor engine itself.
provideTensorBackend((requested) => initBackend(requested));
