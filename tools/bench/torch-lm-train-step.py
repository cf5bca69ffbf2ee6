#!/usr/bin/python3
# The decoder-LM train step in PyTorch, the twin of tools/bench/lm-train-step.mjs: the same model
# (tools/bench/torch-lm.py's LM, with dropout) loaded from the weights Switchyard exported
# (`lm-train-step.mjs --export DIR`: checkpoint/, tokens.bin, setup.json), trained on the same
# token stream the same way — B rows, one block of M tokens per step, the cache of the last L
# layer inputs carried (detached), mean token NLL, backward, Adam (lr from setup.json, betas
# 0.9/0.999, eps 1e-8, no weight decay, no clipping).
#
#   /usr/bin/python3 tools/bench/torch-lm-train-step.py --from DIR [--threads N] [--omp-threads M]
#       [--steps 10] [--warmup 3] [--json out.json]
# Threads and BLAS exactly as tools/bench/torch-train-step.py sets them (that module is loaded
# first, so OMP_WAIT_POLICY and OPENBLAS_CORETYPE are set before torch loads): OpenBLAS runs
# --threads, torch's OpenMP --omp-threads (default --threads). Prints one line; --json writes
# ms/step (median of the timed steps), tokens/s = B·M / median, the BLAS it ran on and the first
# losses (for a look next to Switchyard's: dropout draws differ, so only the first step's scale
# is comparable).
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def _load(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, file))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


step_mod = _load('torch_train_step', 'torch-train-step.py')   # environment first, then torch
lm_mod = _load('torch_lm', 'torch-lm.py')

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--from', dest='src', required=True)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--omp-threads', type=int)
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--json')
    a = ap.parse_args()

    blas = step_mod.Blas()
    threads_at_load = blas.threads()
    torch.set_num_threads(a.omp_threads or a.threads)
    blas.set_threads(a.threads)
    blas_info = {**blas.describe(), 'threadsAtLoad': threads_at_load, 'threads': blas.threads()}
    if blas.name == 'reference':
        raise SystemExit(step_mod.REFERENCE_BLAS_HINT)
    if blas.lib and blas_info['threads'] != a.threads:
        raise SystemExit(f'torch-lm-train-step: OpenBLAS runs {blas_info["threads"]} threads, wanted {a.threads}')

    cfg = json.load(open(os.path.join(a.src, 'checkpoint', 'config.json')))
    setup = json.load(open(os.path.join(a.src, 'setup.json')))
    B, M, L = setup['batchSize'], setup['blockSize'], cfg['attnSpan']
    total = a.warmup + a.steps + 1
    if total > setup['steps']:
        raise SystemExit(f'torch-lm-train-step: {total} steps need more stream than {a.src} holds ({setup["steps"]} blocks per row)')
    model = lm_mod.LM(cfg)
    model.load_state_dict(lm_mod.read_safetensors(os.path.join(a.src, 'checkpoint', 'model.safetensors')), strict=True)
    model.train()
    tokens = np.fromfile(os.path.join(a.src, 'tokens.bin'), dtype='<i4')
    rows = torch.from_numpy(tokens.astype(np.int64)).view(B, -1)
    opt = torch.optim.Adam(model.parameters(), lr=setup['lr'], betas=(0.9, 0.999), eps=1e-8, weight_decay=0)
    torch.manual_seed(1)

    cache = [torch.zeros(B, L, cfg['dModel']) for _ in model.layers]
    past = 0
    stamps, losses = [], []
    for s in range(total):
        x = rows[:, s * M:(s + 1) * M]
        y = rows[:, s * M + 1:(s + 1) * M + 1]
        logp, cache = model(x, cache, past)
        loss = F.nll_loss(logp.reshape(-1, logp.shape[-1]), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        past = min(past + M, L)
        losses.append(loss.item())
        stamps.append(time.perf_counter())
    per = [(stamps[a.warmup + i + 1] - stamps[a.warmup + i]) * 1000 for i in range(a.steps)]
    ms = statistics.median(per)
    rep = {'arm': 'torch', 'msPerStep': ms, 'tokensPerSec': B * M / (ms / 1000), 'batch': B, 'blockSize': M, 'steps': a.steps, 'warmup': a.warmup,
           'threads': a.threads, 'ompThreads': a.omp_threads or a.threads, 'torch': torch.__version__, 'blas': blas_info, 'losses': losses[:3]}
    print(f'PyTorch {torch.__version__} LM train step (B {B} × M {M}): median {ms:.0f} ms/step, {rep["tokensPerSec"]:.0f} tokens/s '
          f'({blas_info["library"]} {blas_info.get("coreName")}, {blas_info["threads"]} BLAS thr, {rep["ompThreads"]} OpenMP thr)')
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(rep, f, indent=2)
            f.write('\n')


if __name__ == '__main__':
    main()
