import * as tf from '@tensorflow/tfjs';
import { initBackend, backendInfo, parseBackendName, BackendError } from '@switchyard/tensor-engine';

describe('backend selection', () => {
  it('rejects an unknown backend name with the allowed list', () => {
    expect(() => parseBackendName('tpu', 'SWITCHYARD_BACKEND')).toThrow(BackendError);
    expect(() => parseBackendName('tpu', 'SWITCHYARD_BACKEND')).toThrow(/allowed: node-gpu, node, wasm, cpu/);
  });

  it('activates the requested backend and reports it', async () => {
    const info = await initBackend('wasm', { quiet: true });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(backendInfo().threads).toBeGreaterThanOrEqual(1);
  });
});
