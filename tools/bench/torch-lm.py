#!/usr/bin/python3
# PyTorch twin of Switchyard's decoder-only MoE LM (packages/model-core/src/decoder-lm.ts), written
# as plain PyTorch in the adaptive-span style (skewed span attention, Transformer-XL cache of past
# layer inputs), loading the weights Switchyard exports (packages/model-core/src/lm-checkpoint.ts:
# config.json + model.safetensors, torch layout, state-dict names = this module tree's names).
#
#   /usr/bin/python3 tools/bench/torch-lm.py --check-against DIR [--tolerance 1e-5]
#
# DIR (written by tools/bench/torch-lm-check.mjs) holds checkpoint/{config.json,model.safetensors},
# tokens.bin (int32 little-endian token stream) and expected.json (Switchyard's evaluation of it:
# batch size, block size, blocks, NLL). This script evaluates the same stream with the same protocol
# (rows of ⌊n/B⌋ tokens, consecutive complete blocks, cache carried, eval mode) and compares the
# mean NLL; exit code 0 when |ours − theirs| / theirs ≤ tolerance. It prints one JSON line.
#
# Model (one layer): h = LN1(h + Attn(h, cache)); MoE layers h = LN2(h + MoE(h)) (compatDoubleMoeNorm:
# h = LN2(h + LN_moe(h + MoE(h)))), dense layers h = LN2(h + FFN(h)), 'none' layers nothing more.
# Attention: no biases; query i attends to the L = attnSpan positions before it (not itself) from
# [cache; block]; scores (q·k + q·key_pe) / sqrt(head_dim) with one key_pe [1, head_dim, L] shared
# by all layers; positions before the stream start masked (a query with none gets zero output)
# unless compatZeroInitialCache (zero cache attended to). Routers at inference, TK-B (top-k of
# h = x·Wᵀ + b, softmax over the k selected logits): smoe (topK), competesmoe (topK, no competition
# at inference), smoe-dropout (evalK, default kMax, default E). Other routers are refused.
# Dropout (config `dropout`) where decoder-lm.ts has it — attention probabilities, inside every
# expert and dense FFN after the ReLU, the MoE output — active only in train mode
# (tools/bench/torch-lm-train-step.py times the train step with it).
# Run it with Debian's /usr/bin/python3 (python3-torch); no safetensors package is needed.
import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


from safetensors_f32 import read_safetensors  # noqa: E402 (this folder is on sys.path when the script runs)


def layer_kinds(cfg):
    kinds = []
    for i in range(cfg['numLayers']):
        if cfg['architecture'] == 'transformer':
            kinds.append('moe')
        elif cfg['compatGlamPairIndexing'] and (i // 2) % 2 == 1:
            kinds.append('none')
        else:
            kinds.append('moe' if i % 2 == 0 else 'dense')
    return kinds


def span_slots(x):
    """[B, H, M, L+M] scores over [cache; block] → [B, H, M, L]: query i keeps columns i..i+L-1."""
    b, h, m, lm = x.shape
    x = F.pad(x.reshape(b, h, m * lm), (0, m))
    return x.reshape(b, h, m, lm + 1)[..., :lm - m]


def unspan_slots(x):
    """[B, H, M, L] → [B, H, M, L+M], slot j of query i at column i+j, zeros elsewhere."""
    b, h, m, l = x.shape
    x = F.pad(x, (0, m + 1)).reshape(b, h, m * (l + m + 1))[..., :m * (l + m)]
    return x.reshape(b, h, m, l + m)


class Attention(nn.Module):
    def __init__(self, d, heads, dropout=0.0):
        super().__init__()
        self.heads, self.head_dim, self.dropout = heads, d // heads, dropout
        self.proj_query = nn.Linear(d, d, bias=False)
        self.proj_key = nn.Linear(d, d, bias=False)
        self.proj_val = nn.Linear(d, d, bias=False)
        self.proj_out = nn.Linear(d, d, bias=False)

    def split(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, h, cache, key_pe, past, mask_start):
        b, m, d = h.shape
        l = cache.shape[1]
        full = torch.cat([cache, h], dim=1)
        q, k, v = self.split(self.proj_query(h)), self.split(self.proj_key(full)), self.split(self.proj_val(full))
        scores = span_slots(q @ k.transpose(-1, -2)) + q @ key_pe[0]
        scores = scores / math.sqrt(self.head_dim)
        if mask_start:
            pos = past + torch.arange(m).view(m, 1) - l + torch.arange(l).view(1, l)   # stream position of slot j of query i
            scores = scores.masked_fill(pos < 0, float('-inf'))
        probs = torch.softmax(scores, dim=-1)
        if mask_start:
            probs = torch.nan_to_num(probs, nan=0.0)   # a query with nothing before it attends to nothing
        probs = F.dropout(probs, self.dropout, self.training)
        out = unspan_slots(probs) @ v
        return self.proj_out(out.transpose(1, 2).reshape(b, m, d))


class FeedForward(nn.Module):
    def __init__(self, d, f, dropout=0.0):
        super().__init__()
        self.fc1, self.fc2, self.dropout = nn.Linear(d, f), nn.Linear(f, d), dropout

    def forward(self, x):
        return self.fc2(F.dropout(F.relu(self.fc1(x)), self.dropout, self.training))


class Router(nn.Module):
    def __init__(self, d, e, slot):
        super().__init__()
        t = slot['type']
        if t in ('smoe', 'competesmoe'):
            self.k = slot.get('topK', 2)
        elif t == 'smoe-dropout':
            k_max = slot.get('kMax') or e
            self.k = slot.get('evalK') or k_max
        else:
            raise SystemExit(f'torch-lm.py: router "{t}" is not in the twin (smoe, competesmoe, smoe-dropout)')
        self.gate = nn.Linear(d, e)

    def forward(self, x):
        logits = self.gate(x)
        top, idx = torch.topk(logits, self.k, dim=-1)
        return idx, torch.softmax(top, dim=-1)


class MoE(nn.Module):
    def __init__(self, d, f, e, slot, double_norm, dropout=0.0):
        super().__init__()
        self.router = Router(d, e, slot)
        self.experts = nn.ModuleList(FeedForward(d, f, dropout) for _ in range(e))
        if double_norm:
            self.layer_norm = nn.LayerNorm(d)

    def forward(self, x):
        shape = x.shape
        x = x.reshape(-1, shape[-1])
        idx, w = self.router(x)
        y = torch.zeros_like(x)
        for e, expert in enumerate(self.experts):
            tok, slot = (idx == e).nonzero(as_tuple=True)
            if tok.numel():
                y.index_add_(0, tok, expert(x[tok]) * w[tok, slot].unsqueeze(1))
        return y.reshape(shape)


class Layer(nn.Module):
    def __init__(self, cfg, kind, slot):
        super().__init__()
        d, f, eps, p = cfg['dModel'], cfg['dFf'], cfg['layerNormEps'], cfg.get('dropout', 0.0)
        self.kind, self.dropout = kind, p
        self.attn = Attention(d, cfg['numHeads'], p)
        self.norm1 = nn.LayerNorm(d, eps=eps)
        if kind == 'moe':
            self.moe = MoE(d, f, cfg['numExperts'], slot, cfg['compatDoubleMoeNorm'], p)
        if kind == 'dense':
            self.ff = FeedForward(d, f, p)
        if kind != 'none':
            self.norm2 = nn.LayerNorm(d, eps=eps)

    def forward(self, h, cache, key_pe, past, mask_start):
        h = self.norm1(h + self.attn(h, cache, key_pe, past, mask_start))
        if self.kind == 'moe':
            y = F.dropout(self.moe(h), self.dropout, self.training)
            if hasattr(self.moe, 'layer_norm'):
                y = self.moe.layer_norm(h + y)
            return self.norm2(h + y)
        if self.kind == 'dense':
            return self.norm2(h + self.ff(h))
        return h


class LM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        d, v, l = cfg['dModel'], cfg['vocabSize'], cfg['attnSpan']
        self.in_emb = nn.Embedding(v, d)
        self.key_pe = nn.Parameter(torch.zeros(1, d // cfg['numHeads'], l))
        slots = cfg.get('routerByLayer', {})
        self.layers = nn.ModuleList(Layer(cfg, kind, slots.get(str(i), cfg['router'])) for i, kind in enumerate(layer_kinds(cfg)))
        self.out_emb = nn.Linear(d, v)

    def forward(self, x, cache, past):
        """x [B, M] → log-probabilities [B, M, V] and the next cache (last L layer inputs per layer)."""
        h = self.in_emb(x)
        l = self.cfg['attnSpan']
        mask_start = not self.cfg['compatZeroInitialCache']
        nxt = []
        for layer, c in zip(self.layers, cache):
            nxt.append(torch.cat([c, h], dim=1)[:, -l:].detach())
            h = layer(h, c, self.key_pe, past, mask_start)
        return F.log_softmax(self.out_emb(h), dim=-1), nxt


def evaluate(model, tokens, batch, block, blocks):
    cfg = model.cfg
    rows = torch.from_numpy(tokens[:(len(tokens) // batch) * batch].astype(np.int64)).view(batch, -1)
    cache = [torch.zeros(batch, cfg['attnSpan'], cfg['dModel']) for _ in model.layers]
    total, past = 0.0, 0
    with torch.no_grad():
        for k in range(blocks):
            x = rows[:, k * block:(k + 1) * block]
            y = rows[:, k * block + 1:(k + 1) * block + 1]
            logp, cache = model(x, cache, past)
            total += F.nll_loss(logp.reshape(-1, logp.shape[-1]), y.reshape(-1), reduction='sum').item()
            past = min(past + block, cfg['attnSpan'])
    return total / (batch * block * blocks)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--check-against', required=True)
    ap.add_argument('--tolerance', type=float, default=1e-5)
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    folder = a.check_against
    cfg = json.load(open(os.path.join(folder, 'checkpoint', 'config.json')))
    exp = json.load(open(os.path.join(folder, 'expected.json')))
    model = LM(cfg)
    sd = read_safetensors(os.path.join(folder, 'checkpoint', 'model.safetensors'))
    model.load_state_dict(sd, strict=True)
    model.eval()
    tokens = np.fromfile(os.path.join(folder, 'tokens.bin'), dtype='<i4')
    nll = evaluate(model, tokens, exp['batchSize'], exp['blockSize'], exp['blocks'])
    rel = abs(nll - exp['nll']) / abs(exp['nll'])
    ok = rel <= a.tolerance
    print(json.dumps({'torchNll': nll, 'switchyardNll': exp['nll'], 'relErr': rel, 'tolerance': a.tolerance, 'ok': ok, 'torch': torch.__version__}))
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
