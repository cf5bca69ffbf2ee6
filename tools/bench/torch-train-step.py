#!/usr/bin/python3
# PyTorch twin of Switchyard's tiny Switch train step (tools/bench/train-throughput.mjs with
# --routers switch-top1): the same encoder-decoder, router, losses, clipping and AdamW, written
# as plain idiomatic PyTorch, to put Switchyard's tokens/s next to a native reference.
#
#   /usr/bin/python3 tools/bench/torch-train-step.py [--threads 1] [--steps 5] [--warmup 2]
#       [--json out.json] [--no-matmul] [--omp-threads M] [--jitter 0.01] [--dropped-tokens zero]
#   /usr/bin/python3 tools/bench/torch-train-step.py --check-against DIR   (see torch-twin-check.mjs)
#
# Run it with Debian's /usr/bin/python3 (python3-torch 1.13 + numpy); the pyenv python3 on PATH
# has no torch.
#
# Model (model-core's `tiny` preset, HF SwitchTransformers structure, HF parameter names):
#   d_model 128, d_kv 32, 4 heads, d_ff 512, 2 encoder + 2 decoder blocks, block 1 of each stack
#   sparse (8 experts, top-1, capacity 64 tokens per expert per sequence), vocab 8000, tied
#   embeddings (decoder output × d_model^-0.5 before the LM head), RMSNorm without mean/bias,
#   attention without 1/sqrt(d_kv), relative position bias owned by block 0 of each stack and
#   reused by block 1, ReLU FFNs, no dropout.
# Router: what train-throughput.mjs builds, `replaceRouters(model, { type: 'switch-top1' })`,
#   i.e. the switch-top1 option defaults (packages/routers/src/routers/switch-top1.ts), which are
#   NOT the tiny preset's router keys: jitter 0.01 (the preset says 0), dropped tokens 'zero'
#   (the preset's default slot says 'hf-v4.36'), capacity 64, loss coefficients 0.001.
#   --jitter / --dropped-tokens change them.
# Loss (packages/train SwitchTask + composeLoss): mean CE over labels + Σ over sparse layers of
#   0.001·z-loss + 0.001·balance loss (HF load_balancing_loss_func on that layer, groups = rows,
#   dropped tokens count as expert 0 as HF reports them). One sparse layer per stack, so this is
#   also HF's stack-pooled total.
# Step (packages/train train-loop.ts): forward, backward, clip_grad_norm_(1.0), AdamW (lr 5e-5
#   with train-throughput's linear decay over warmup+steps+1 updates, betas 0.9/0.999, eps 1e-8,
#   weight decay 0). Per step the loss is read to the host (Switchyard reads its loss parts too).
#   Not mirrored: Switchyard's per-step NaN scan of every parameter (a guard, not part of the step).
#   AdamW keeps torch 1.13's CPU default (single-tensor loop): foreach=True measured 2× slower on CPU.
#   MoE dispatch: one index_select of the kept tokens sorted by expert, a contiguous slice per
#   expert, one index_add_ back; routing indices (argmax, capacity cumsum) outside autograd.
# Timing as train-throughput.mjs: `warmup` untimed updates, then `steps` timed ones; ms/step is
#   the median, tokens/s = B·(S+T) / median (B=16, S=128, T=32: 2,560 positions per step).
#
# Threads and BLAS (docs/design.md §5). Debian's torch 1.13 is built with BLAS_INFO=generic: every
# fp32 GEMM (Linear, matmul, bmm) calls sgemm_ of libblas.so.3, which update-alternatives points
# at OpenBLAS (openblas-pthread) or at the reference BLAS (28× slower; refused here).
#   * torch.set_num_threads(N) sets OpenMP (ATen's intra-op pool) only. Measured on this build:
#     openblas_get_num_threads() is unchanged by it (OpenBLAS sizes its own pthread pool from
#     OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / the CPU count when it loads: 2 here, whatever
#     torch is set to). So the script also calls openblas_set_num_threads(N) through ctypes,
#     checks it with openblas_get_num_threads(), and records all three counts in the JSON
#     (`blas.threadsAtLoad`, `blas.threadsAfterTorchSetNumThreads`, `blas.threads`).
#   * OMP_WAIT_POLICY=PASSIVE for N>1 (set before torch loads libgomp): ATen's idle OpenMP
#     workers would otherwise spin and steal the second core from OpenBLAS's thread (measured on
#     the 2-core machine: 2 threads ran 204–214 ms/step with PASSIVE, 519–689 with libgomp's
#     default policy, 5–8 s with ACTIVE under load).
#   * --omp-threads M sets torch's OpenMP threads apart from OpenBLAS's (measured: OpenMP 1 +
#     OpenBLAS 2 ran ~10% faster than 2 + 2 here: 181–184 vs 198–207 ms/step).
#   * OPENBLAS_CORETYPE as packages/runtime/src/kernels/native-matmul.ts pickCoreType sets it for
#     Switchyard's native matmul (SkylakeX with avx512f+bw+vl, Haswell with avx2+fma), unless set:
#     OpenBLAS 0.3.21 would otherwise pick its own kernels, and the two sides must run the same.
#   * A 1024³ matmul GFLOP/s at the configured threads is measured and reported (matmulGflops).
import os
import sys


def _arg(name, default=None):
    """--name value from argv (before argparse: the environment must be set before torch loads)."""
    if f'--{name}' in sys.argv:
        i = sys.argv.index(f'--{name}')
        if i + 1 < len(sys.argv):
            return sys.argv[i + 1]
    return default


def _pick_core_type():
    """OPENBLAS_CORETYPE exactly as Switchyard's pickCoreType (first `flags` line of /proc/cpuinfo)."""
    if os.environ.get('OPENBLAS_CORETYPE') or not sys.platform.startswith('linux'):
        return
    try:
        flags = ''
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('flags'):
                    flags = line.split(':', 1)[1]
                    break
        have = set(flags.split())
        if {'avx512f', 'avx512bw', 'avx512vl'} <= have:
            os.environ['OPENBLAS_CORETYPE'] = 'SkylakeX'
        elif {'avx2', 'fma'} <= have:
            os.environ['OPENBLAS_CORETYPE'] = 'Haswell'
    except OSError:
        pass


THREADS = int(_arg('threads', '1'))
if THREADS > 1:
    os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
_pick_core_type()

# Only now load the libraries that load OpenBLAS and libgomp.
import argparse  # noqa: E402
import ctypes  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

# ------------------------------------------------------------------------------------------
# BLAS: which library torch's sgemm_ lands in, and its threads.
REFERENCE_BLAS_HINT = (
    'torch is using the reference BLAS (netlib libblas.so.3), ~28x slower than OpenBLAS here '
    '(docs/design.md §5); a comparison against it means nothing. Install libopenblas0-pthread and run\n'
    '  update-alternatives --set libblas.so.3-x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3')


def mapped_libraries():
    libs = []
    with open('/proc/self/maps') as f:
        for line in f:
            p = line.split()[-1] if len(line.split()) >= 6 else ''
            if p.startswith('/') and p not in libs:
                libs.append(p)
    return libs


class _DlInfo(ctypes.Structure):
    _fields_ = [('dli_fname', ctypes.c_char_p), ('dli_fbase', ctypes.c_void_p), ('dli_sname', ctypes.c_char_p), ('dli_saddr', ctypes.c_void_p)]


def sgemm_provider(libs):
    """The file torch's sgemm_ calls resolve to: dlsym from libtorch_cpu's handle (its own
    dependency order, as its calls bind), then dladdr. Debian: /lib/.../libblas.so.3, a symlink
    (update-alternatives) to openblas-pthread/libblas.so.3 (OpenBLAS) or blas/libblas.so.3 (reference)."""
    torch_cpu = next((p for p in libs if os.path.basename(p).startswith('libtorch_cpu')), None)
    try:
        addr = ctypes.cast(getattr(ctypes.CDLL(torch_cpu), 'sgemm_'), ctypes.c_void_p).value
        info = _DlInfo()
        if ctypes.CDLL('libc.so.6').dladdr(ctypes.c_void_p(addr), ctypes.byref(info)) and info.dli_fname:
            return info.dli_fname.decode(), os.path.realpath(info.dli_fname.decode())
    except (OSError, AttributeError, TypeError):
        pass
    return None, None


class Blas:
    """The BLAS torch loaded (from /proc/self/maps) and, for OpenBLAS, its control functions."""

    def __init__(self):
        libs = mapped_libraries()
        self.blas_libs = [p for p in libs if any(k in os.path.basename(p) for k in ('blas', 'lapack', 'mkl', 'blis', 'atlas'))]
        self.sgemm_from, self.sgemm_real = sgemm_provider(libs)
        self.openblas_path = next((p for p in libs if 'libopenblas' in os.path.basename(p)), None)
        self.alternative = os.path.realpath('/usr/lib/x86_64-linux-gnu/libblas.so.3') if os.path.exists('/usr/lib/x86_64-linux-gnu/libblas.so.3') else None
        self.lib = None
        if self.openblas_path:
            self.lib = ctypes.CDLL(self.openblas_path)   # the already-loaded copy (same handle)
            self.lib.openblas_get_config.restype = ctypes.c_char_p
            self.lib.openblas_get_corename.restype = ctypes.c_char_p
            self.lib.openblas_get_num_threads.restype = ctypes.c_int

    @property
    def name(self):
        """Named after the library sgemm_ comes from (else after what is mapped)."""
        where = self.sgemm_real or ' '.join(self.blas_libs)
        for key, name in (('openblas', 'OpenBLAS'), ('mkl', 'MKL'), ('blis', 'BLIS'), ('atlas', 'ATLAS')):
            if key in where.lower():
                return name
        if '/blas/' in where or os.path.basename(where).startswith('libblas.so'):
            return 'reference'
        return 'unknown'

    def threads(self):
        return int(self.lib.openblas_get_num_threads()) if self.lib else None

    def set_threads(self, n):
        if self.lib:
            self.lib.openblas_set_num_threads(ctypes.c_int(n))

    def describe(self):
        d = {'library': self.name, 'sgemmFrom': self.sgemm_from, 'sgemmFile': self.sgemm_real, 'path': self.openblas_path or (self.blas_libs[0] if self.blas_libs else None),
             'libblasAlternative': self.alternative, 'coreTypeEnv': os.environ.get('OPENBLAS_CORETYPE')}
        if self.lib:
            d['config'] = self.lib.openblas_get_config().decode()
            d['coreName'] = self.lib.openblas_get_corename().decode()
        return d


# ------------------------------------------------------------------------------------------
# Model. Dims: B batch, S source, T target, L length of the current stack, D d_model, H heads,
# K d_kv, F d_ff, E experts, N tokens of a sparse layer (= B·L), V vocabulary.
TINY = dict(vocab_size=8000, d_model=128, d_kv=32, d_ff=512, num_heads=4, num_layers=2, num_decoder_layers=2,
            num_experts=8, sparse_step=2, expert_capacity=64, relative_attention_num_buckets=32,
            relative_attention_max_distance=128, layer_norm_epsilon=1e-6, initializer_factor=1.0,
            router_z_loss_coef=0.001, router_aux_loss_coef=0.001)
F32_MIN = torch.finfo(torch.float32).min


def relative_buckets(q_len, k_len, bidirectional, num_buckets, max_distance):
    """T5 bucket of (key − query) offsets, float32 log branch as HF computes it. [q_len, k_len] int64"""
    rel = torch.arange(k_len)[None, :] - torch.arange(q_len)[:, None]
    base = torch.zeros_like(rel)
    nb = num_buckets
    if bidirectional:
        nb //= 2
        base = (rel > 0).long() * nb
        dist = rel.abs()
    else:
        dist = (-rel).clamp(min=0)
    exact = nb // 2
    far = exact + (torch.log(dist.float() / exact) / math.log(max_distance / exact) * (nb - exact)).long()
    far = far.clamp(max=nb - 1)
    return base + torch.where(dist < exact, dist, far)


class RMSNorm(nn.Module):
    """T5LayerNorm: x·rsqrt(mean(x²)+ε)·w, no mean subtraction, no bias."""

    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Attention(nn.Module):
    """Multi-head attention without 1/sqrt(d_kv); `bias` carries position bias and masks."""

    def __init__(self, c, relative_bias):
        super().__init__()
        d, inner = c['d_model'], c['num_heads'] * c['d_kv']
        self.h, self.k_dim = c['num_heads'], c['d_kv']
        self.q = nn.Linear(d, inner, bias=False)
        self.k = nn.Linear(d, inner, bias=False)
        self.v = nn.Linear(d, inner, bias=False)
        self.o = nn.Linear(inner, d, bias=False)
        if relative_bias:
            self.relative_attention_bias = nn.Embedding(c['relative_attention_num_buckets'], self.h)

    def split(self, t):  # [B, L, H·K] → [B, H, L, K]
        b, l, _ = t.shape
        return t.view(b, l, self.h, self.k_dim).transpose(1, 2)

    def forward(self, x, source, bias):
        b, l, _ = x.shape
        q, k, v = self.split(self.q(x)), self.split(self.k(source)), self.split(self.v(source))
        scores = torch.matmul(q, k.transpose(-1, -2)) + bias           # [B, H, L, Lk]
        probs = torch.softmax(scores, dim=-1)
        ctx = torch.matmul(probs, v).transpose(1, 2).reshape(b, l, -1)  # [B, L, H·K]
        return self.o(ctx)


class DenseMLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.wi = nn.Linear(c['d_model'], c['d_ff'], bias=False)
        self.wo = nn.Linear(c['d_ff'], c['d_model'], bias=False)

    def forward(self, x):
        return self.wo(F.relu(self.wi(x)))


class Router(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.classifier = nn.Linear(c['d_model'], c['num_experts'], bias=False)


class SparseMLP(nn.Module):
    """Switch top-1 MoE: route, keep ≤ capacity tokens per expert per sequence (in position order),
    gather each expert's rows (index_select), run it, scale by the top-1 prob, scatter back (index_add_)."""

    def __init__(self, c, jitter, dropped_tokens):
        super().__init__()
        self.router = Router(c)
        self.experts = nn.ModuleDict({f'expert_{e}': DenseMLP(c) for e in range(c['num_experts'])})
        self.e, self.capacity, self.jitter, self.dropped_tokens = c['num_experts'], c['expert_capacity'], jitter, dropped_tokens

    def forward(self, x, groups):
        """x [N, D] (N = groups·group_size) → y [N, D], (router logits [N, E], probs [N, E], HF expert index [N], kept [N])"""
        n, _ = x.shape
        xr = x * torch.empty_like(x).uniform_(1 - self.jitter, 1 + self.jitter) if self.training and self.jitter > 0 else x
        logits = self.router.classifier(xr)                              # [N, E]
        probs = torch.softmax(logits, dim=-1)
        with torch.no_grad():
            choice = probs.argmax(-1)                                    # [N] first max on ties
            onehot = F.one_hot(choice, self.e).view(groups, n // groups, self.e)
            slot = (onehot.cumsum(1) * onehot).sum(-1).view(n)           # 1-based place in its expert's queue
            kept = slot <= self.capacity                                 # [N]
            hf_index = torch.where(kept, choice, torch.zeros_like(choice))
            # Kept tokens sorted by expert; one host read of the per-expert counts.
            order = torch.nonzero(kept, as_tuple=True)[0]
            order = order[torch.argsort(choice[order], stable=True)]
            counts = torch.bincount(choice[order], minlength=self.e).tolist()
        top1 = probs.gather(1, choice[:, None])                          # [N, 1] differentiable
        xs = x.index_select(0, order)                                    # [M, D]
        outs, start = [], 0
        for e, cnt in enumerate(counts):
            if cnt:
                outs.append(self.experts[f'expert_{e}'](xs[start:start + cnt]))
            start += cnt
        h = torch.cat(outs) * top1.index_select(0, order) if outs else xs
        y = torch.zeros_like(x).index_add_(0, order, h)
        if self.dropped_tokens == 'hf-v4.36':                            # dropped: top1_prob·x
            y = y + x * (top1 * (~kept)[:, None].to(x.dtype))
        return y, (logits, probs, hf_index, kept)


class AttentionLayer(nn.Module):
    def __init__(self, c, cross, relative_bias):
        super().__init__()
        self.kind = 'EncDecAttention' if cross else 'SelfAttention'   # HF module name
        setattr(self, self.kind, Attention(c, relative_bias))
        self.layer_norm = RMSNorm(c['d_model'], c['layer_norm_epsilon'])

    @property
    def attn(self):
        return getattr(self, self.kind)


class FFLayer(nn.Module):
    def __init__(self, c, sparse, jitter, dropped_tokens):
        super().__init__()
        self.sparse = sparse
        self.mlp = SparseMLP(c, jitter, dropped_tokens) if sparse else DenseMLP(c)
        self.layer_norm = RMSNorm(c['d_model'], c['layer_norm_epsilon'])


class Block(nn.Module):
    def __init__(self, c, relative_bias, cross, sparse, jitter, dropped_tokens):
        super().__init__()
        layers = [AttentionLayer(c, False, relative_bias)]
        if cross:
            layers.append(AttentionLayer(c, True, False))
        layers.append(FFLayer(c, sparse, jitter, dropped_tokens))
        self.layer = nn.ModuleList(layers)

    def forward(self, h, self_bias, enc=None, cross_bias=None):
        sa = self.layer[0]
        x = sa.layer_norm(h)
        h = h + sa.attn(x, x, self_bias)
        if enc is not None:
            ca = self.layer[1]
            h = h + ca.attn(ca.layer_norm(h), enc, cross_bias)
        ff = self.layer[-1]
        x = ff.layer_norm(h)
        if ff.sparse:
            b, l, d = x.shape
            y, rec = ff.mlp(x.reshape(b * l, d), b)
            return h + y.view(b, l, d), rec
        return h + ff.mlp(x), None


class Stack(nn.Module):
    def __init__(self, c, n_layers, causal, jitter, dropped_tokens):
        super().__init__()
        self.c, self.causal = c, causal
        self.block = nn.ModuleList([
            Block(c, i == 0, causal, c['sparse_step'] > 0 and (c['sparse_step'] == 1 or i % c['sparse_step'] == 1), jitter, dropped_tokens)
            for i in range(n_layers)])
        self.final_layer_norm = RMSNorm(c['d_model'], c['layer_norm_epsilon'])
        self._buckets = {}

    def position_bias(self, l):
        """Block 0's bucket embedding (+ causal mask in the decoder). [1, H, L, L]"""
        if l not in self._buckets:
            ids = relative_buckets(l, l, not self.causal, self.c['relative_attention_num_buckets'], self.c['relative_attention_max_distance'])
            mask = torch.triu(torch.full((l, l), F32_MIN), 1) if self.causal else None
            self._buckets[l] = (ids, mask)
        ids, mask = self._buckets[l]
        bias = self.block[0].layer[0].attn.relative_attention_bias(ids).permute(2, 0, 1).unsqueeze(0)
        return bias + mask if mask is not None else bias

    def forward(self, emb, attention_mask=None, enc=None, enc_mask=None):
        bias = self.position_bias(emb.shape[1])
        if attention_mask is not None:
            bias = bias + (1.0 - attention_mask[:, None, None, :]) * F32_MIN
        cross_bias = (1.0 - enc_mask[:, None, None, :]) * F32_MIN if enc is not None else None
        h, records = emb, []
        for blk in self.block:
            h, rec = blk(h, bias, enc, cross_bias)
            if rec is not None:
                records.append(rec)
        return self.final_layer_norm(h), records


class SwitchTransformer(nn.Module):
    def __init__(self, c, jitter=0.01, dropped_tokens='zero'):
        super().__init__()
        self.c = c
        self.shared = nn.Embedding(c['vocab_size'], c['d_model'])
        self.encoder = Stack(c, c['num_layers'], False, jitter, dropped_tokens)
        self.decoder = Stack(c, c['num_decoder_layers'], True, jitter, dropped_tokens)
        self.init_weights()

    @torch.no_grad()
    def init_weights(self):
        """HF `_init_weights` (as model-core's ParamStore): N(0, f·fan^-0.5) per matrix kind."""
        f, d, kd, h, ff = self.c['initializer_factor'], self.c['d_model'], self.c['d_kv'], self.c['num_heads'], self.c['d_ff']
        for name, p in self.named_parameters():
            if name.endswith('layer_norm.weight'):
                p.fill_(1.0)
            elif name == 'shared.weight' or name.endswith('router.classifier.weight'):
                p.normal_(0, f)
            elif name.endswith('.q.weight'):
                p.normal_(0, f * (d * kd) ** -0.5)
            elif name.endswith(('.k.weight', '.v.weight', 'relative_attention_bias.weight')):
                p.normal_(0, f * d ** -0.5)
            elif name.endswith('.o.weight'):
                p.normal_(0, f * (h * kd) ** -0.5)
            elif name.endswith('.wi.weight'):
                p.normal_(0, f * d ** -0.5)
            elif name.endswith('.wo.weight'):
                p.normal_(0, f * ff ** -0.5)
            else:
                raise ValueError(f'no init rule for {name}')

    def forward(self, input_ids, attention_mask, decoder_input_ids):
        enc, enc_rec = self.encoder(self.shared(input_ids), attention_mask)
        dec, dec_rec = self.decoder(self.shared(decoder_input_ids), None, enc, attention_mask)
        logits = F.linear(dec * self.c['d_model'] ** -0.5, self.shared.weight)   # tied LM head
        return logits, enc_rec + dec_rec


def loss_parts(logits, labels, records, n_experts):
    """CE (mean over labels ≠ −100) and, per sparse layer, z-loss and HF balance loss."""
    parts = {'ce': F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)}
    for i, (logits_r, probs, hf_index, _) in enumerate(records):
        groups = labels.shape[0]
        parts[f'z{i}'] = torch.logsumexp(logits_r, -1).pow(2).mean()
        mask = F.one_hot(hf_index, n_experts).to(probs.dtype).view(groups, -1, n_experts)
        parts[f'balance{i}'] = (mask.mean(1) * probs.view(groups, -1, n_experts).mean(1)).mean() * n_experts ** 2
    return parts


def total_loss(parts, c):
    t = parts['ce']
    for k, v in parts.items():
        if k.startswith('z'):
            t = t + c['router_z_loss_coef'] * v
        elif k.startswith('balance'):
            t = t + c['router_aux_loss_coef'] * v
    return t


def shift_right(labels):
    """HF _shift_right with decoder_start 0 and pad 0."""
    d = torch.zeros_like(labels)
    d[:, 1:] = labels[:, :-1]
    return d.masked_fill(d == -100, 0)


def torch_package_version():
    """Debian's package version (its torch.__version__ reads 1.13.0a0 for 1.13.1+dfsg)."""
    try:
        return subprocess.run(['dpkg-query', '-W', '-f', '${Version}', 'python3-torch'], capture_output=True, text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


# ------------------------------------------------------------------------------------------
def matmul_gflops(n=1024, reps=10):
    a, b = torch.randn(n, n), torch.randn(n, n)
    c = torch.empty(n, n)
    for _ in range(3):
        torch.mm(a, b, out=c)
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        torch.mm(a, b, out=c)
        ts.append(time.perf_counter() - t0)
    return 2 * n ** 3 / statistics.median(ts) / 1e9


class Trainer:
    def __init__(self, model, total_steps, lr=5e-5, clip=1.0):
        self.model, self.total, self.lr, self.clip = model, total_steps, lr, clip
        self.params = [p for p in model.parameters()]
        self.opt = torch.optim.AdamW(self.params, lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
        self.step_no = 0

    def step(self, batch):
        """One update; returns (total loss, loss parts as floats)."""
        # Linear decay without warmup (train/src/schedule.ts): lr·(T − s)/T.
        for g in self.opt.param_groups:
            g['lr'] = self.lr * max(0.0, (self.total - self.step_no) / max(1, self.total))
        self.opt.zero_grad(set_to_none=True)
        logits, records = self.model(batch['input_ids'], batch['attention_mask'], batch['decoder_input_ids'])
        parts = loss_parts(logits, batch['labels'], records, self.model.c['num_experts'])
        loss = total_loss(parts, self.model.c)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.params, self.clip)
        self.opt.step()
        self.step_no += 1
        vals = torch.stack([loss.detach()] + [v.detach() for v in parts.values()]).tolist()   # one host read
        return vals[0], dict(zip(parts.keys(), vals[1:]))


def synthetic_batches(c, B, S, T, n_examples=64, seed=123):
    """64 examples of ids in [2, V) (0 = pad, 1 = eos), full length; batches from seeded epoch permutations."""
    g = torch.Generator().manual_seed(seed)
    src = torch.randint(2, c['vocab_size'], (n_examples, S), generator=g)
    lab = torch.randint(2, c['vocab_size'], (n_examples, T), generator=g)
    epoch = 0
    while True:
        perm = torch.randperm(n_examples, generator=torch.Generator().manual_seed(seed * 1000 + epoch))
        for i in range(0, n_examples - B + 1, B):
            idx = perm[i:i + B]
            labels = lab[idx]
            yield {'input_ids': src[idx], 'attention_mask': torch.ones(B, S), 'labels': labels, 'decoder_input_ids': shift_right(labels)}
        epoch += 1


# ------------------------------------------------------------------------------------------
# --check-against DIR: the folder tools/bench/torch-twin-check.mjs writes (Switchyard's initial
# weights as an HF checkpoint, the batch, and Switchyard's losses).
from safetensors_f32 import read_safetensors  # noqa: E402 (this folder is on sys.path when the script runs)


def check_against(folder, c):
    exp = json.load(open(os.path.join(folder, 'expected.json')))
    cfg = json.load(open(os.path.join(folder, 'checkpoint', 'config.json')))
    slot = cfg.get('switchyard_router', {})
    jitter = slot.get('jitterNoise', 0.01)
    dropped = slot.get('droppedTokens', 'zero')
    c = {**c, 'expert_capacity': slot.get('expertCapacity', 64)}      # the router's, not the config's
    for k in ('d_model', 'd_kv', 'd_ff', 'num_heads', 'num_layers', 'num_decoder_layers', 'num_experts', 'vocab_size'):
        if cfg[k] != c[k]:
            raise SystemExit(f'check: config {k} = {cfg[k]} in the checkpoint, {c[k]} here')
    model = SwitchTransformer(c, jitter=jitter, dropped_tokens=dropped)
    sd = read_safetensors(os.path.join(folder, 'checkpoint', 'model.safetensors'))
    mine = model.state_dict()
    missing, extra = sorted(set(mine) - set(sd)), sorted(set(sd) - set(mine))
    if missing or extra:
        raise SystemExit(f'check: key mismatch; missing {missing[:5]}, unexpected {extra[:5]}')
    for k, v in mine.items():
        if tuple(v.shape) != tuple(sd[k].shape):
            raise SystemExit(f'check: {k} has shape {tuple(sd[k].shape)} in the checkpoint, {tuple(v.shape)} here')
    model.load_state_dict(sd)
    n_params = sum(p.numel() for p in model.parameters())
    bt = exp['batch']
    batch = {'input_ids': torch.tensor(bt['inputIds'], dtype=torch.long), 'attention_mask': torch.tensor(bt['attentionMask'], dtype=torch.float32),
             'labels': torch.tensor(bt['labels'], dtype=torch.long), 'decoder_input_ids': torch.tensor(bt['decoderInputIds'], dtype=torch.long)}
    if not torch.equal(shift_right(batch['labels']), batch['decoder_input_ids']):
        raise SystemExit('check: decoder_input_ids are not shift_right(labels)')
    report = {'params': n_params, 'switchyardParams': exp['params'], 'router': {'jitter': jitter, 'capacity': c['expert_capacity'], 'droppedTokens': dropped},
              'switchyardBackend': exp.get('backend'), 'switchyardNative': exp.get('native'), 'eval': {}, 'train': []}
    worst = 0.0

    def rel(a, b):
        return abs(a - b) / max(abs(b), 1e-12)

    # 1. Eval-mode forward (no jitter, no dropout): every loss part.
    model.eval()
    with torch.no_grad():
        logits, recs = model(batch['input_ids'], batch['attention_mask'], batch['decoder_input_ids'])
        parts = loss_parts(logits, batch['labels'], recs, c['num_experts'])
        tot = total_loss(parts, c).item()
        dropped_frac = [float((~r[3]).float().mean()) for r in recs]
    names = {'ce': 'ce', 'z0': 'encoder z', 'balance0': 'encoder balance', 'z1': 'decoder z', 'balance1': 'decoder balance'}
    sy = exp['eval']
    print(f'check: {n_params:,} parameters here, {exp["params"]:,} in Switchyard')
    print(f'check: eval forward, loss parts (torch vs Switchyard, relative difference):')
    for k, label in names.items():
        a, b = parts[k].item(), sy[label]
        report['eval'][label] = {'torch': a, 'switchyard': b, 'rel': rel(a, b)}
        worst = max(worst, rel(a, b))
        print(f'  {label:16s} {a:.7f} {b:.7f}  {rel(a, b):.1e}')
    report['eval']['total'] = {'torch': tot, 'switchyard': sy['total'], 'rel': rel(tot, sy['total'])}
    worst = max(worst, rel(tot, sy['total']))
    print(f'  {"total":16s} {tot:.7f} {sy["total"]:.7f}  {rel(tot, sy["total"]):.1e}   (capacity {c["expert_capacity"]}, {dropped} rule: dropped fraction per layer {", ".join(f"{d:.3f}" for d in dropped_frac)})')

    # 2. Train steps on the same batch, same schedule: loss of update k is taken before it.
    model.train()
    tr = Trainer(model, total_steps=len(exp['train']))
    print('check: training steps (jitter %g), total loss torch vs Switchyard:' % jitter)
    for k, want in enumerate(exp['train']):
        got, _ = tr.step(batch)
        r = rel(got, want)
        report['train'].append({'step': k + 1, 'torch': got, 'switchyard': want, 'rel': r})
        if jitter == 0:
            worst = max(worst, r)
        print(f'  step {k + 1}: {got:.7f} {want:.7f}  {r:.1e}')
    report['worstRel'] = worst
    return report


# ------------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--omp-threads', type=int, help='OpenMP (ATen intra-op) threads (default: --threads); OpenBLAS always runs --threads')
    ap.add_argument('--steps', type=int, default=5)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--json')
    ap.add_argument('--jitter', type=float, default=0.01, help='router jitter ε in training (switch-top1 default 0.01)')
    ap.add_argument('--dropped-tokens', choices=['zero', 'hf-v4.36'], default='zero')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--no-matmul', action='store_true', help='skip the 1024³ matmul GFLOP/s measurement')
    ap.add_argument('--check-against', metavar='DIR', help='folder from tools/bench/torch-twin-check.mjs; compare losses')
    ap.add_argument('--tolerance', type=float, default=1e-4)
    a = ap.parse_args()

    blas = Blas()
    if blas.name == 'reference':
        raise SystemExit(f'torch-train-step: refusing to run: {REFERENCE_BLAS_HINT}\n  sgemm_ comes from {blas.sgemm_from} -> {blas.sgemm_real}')
    if blas.name == 'OpenBLAS' and not blas.lib:
        raise SystemExit(f'torch-train-step: sgemm_ comes from OpenBLAS ({blas.sgemm_real}) but libopenblas is not mapped; cannot set its threads')
    if blas.name != 'OpenBLAS':
        print(f'torch-train-step: warning: BLAS is {blas.name} ({", ".join(blas.blas_libs) or "none mapped"}), not OpenBLAS; '
              'the comparison with Switchyard\'s native OpenBLAS matmul is not like for like', file=sys.stderr)
    threads_at_load = blas.threads()
    torch.set_num_threads(a.omp_threads or a.threads)
    threads_after_torch = blas.threads()          # unchanged: torch does not drive OpenBLAS's pool
    blas.set_threads(a.threads)
    blas_info = {**blas.describe(), 'threadsAtLoad': threads_at_load, 'threadsAfterTorchSetNumThreads': threads_after_torch, 'threads': blas.threads()}
    if blas.lib and blas_info['threads'] != a.threads:
        raise SystemExit(f'torch-train-step: OpenBLAS runs {blas_info["threads"]} threads, wanted {a.threads}')
    print(f'torch-train-step: BLAS {blas_info["library"]} (sgemm_ from {blas.sgemm_from} -> {blas.sgemm_real}; {blas_info.get("config", "")}), '
          f'core {blas_info.get("coreName")} (OPENBLAS_CORETYPE={os.environ.get("OPENBLAS_CORETYPE")}); OpenBLAS threads {threads_at_load} at load, '
          f'{threads_after_torch} after torch.set_num_threads({a.omp_threads or a.threads}), {blas_info["threads"]} after openblas_set_num_threads; '
          f'OMP_WAIT_POLICY={os.environ.get("OMP_WAIT_POLICY")}', file=sys.stderr)
    torch.manual_seed(a.seed)
    c = dict(TINY)

    if a.check_against:
        rep = check_against(a.check_against, c)
        ok = rep['worstRel'] <= a.tolerance
        print(f'check: {"OK" if ok else "MISMATCH"}: worst relative difference {rep["worstRel"]:.1e} (tolerance {a.tolerance:g})')
        if a.json:
            with open(a.json, 'w') as f:
                json.dump({**rep, 'ok': ok, 'torch': torch.__version__, 'blas': blas_info}, f, indent=2)
        sys.exit(0 if ok else 1)

    B, S, T = 16, 128, 32
    gflops = None if a.no_matmul else matmul_gflops()
    model = SwitchTransformer(c, jitter=a.jitter, dropped_tokens=a.dropped_tokens)
    model.train()
    n_params = sum(p.numel() for p in model.parameters())
    total = a.warmup + a.steps + 1                  # as train-throughput: +1 final (untimed) update
    trainer = Trainer(model, total_steps=total)
    data = synthetic_batches(c, B, S, T)
    stamps, losses = [time.perf_counter()], []
    for _ in range(a.warmup + a.steps):
        loss, _ = trainer.step(next(data))
        losses.append(loss)
        stamps.append(time.perf_counter())
    per = sorted((stamps[a.warmup + i + 1] - stamps[a.warmup + i]) * 1000 for i in range(a.steps))
    ms = per[(len(per) - 1) // 2]
    mean = sum(per) / len(per)
    tps = B * (S + T) / (ms / 1000)
    load = os.getloadavg()
    print(f'torch {torch.__version__} switch-top1 {round(tps):7d} tokens/s  median {ms:6.0f} ms/step (mean {mean:.0f})  '
          f'{a.threads} thread{"s" if a.threads > 1 else ""} (OpenMP {torch.get_num_threads()}, {blas_info["library"]} {blas_info.get("coreName", "?")} '
          f'{blas_info["threads"]} thr{", matmul 1024³ %.0f GFLOP/s" % gflops if gflops else ""})  params {n_params:,}  load {load[0]:.2f}')
    if a.json:
        out = {
            'threads': a.threads, 'msPerStep': ms, 'meanMsPerStep': mean, 'tokensPerSec': tps, 'losses': losses,
            'torch': torch.__version__, 'torchPackage': torch_package_version(), 'python': platform.python_version(), 'numpy': np.__version__,
            'ompThreads': torch.get_num_threads(), 'ompWaitPolicy': os.environ.get('OMP_WAIT_POLICY'),
            'blas': blas_info, 'matmulGflops': gflops, 'params': n_params, 'loadAverage': list(load),
            'config': {'d_model': c['d_model'], 'layers': [c['num_layers'], c['num_decoder_layers']], 'experts': c['num_experts'],
                       'vocab': c['vocab_size'], 'batch': B, 'source': S, 'target': T, 'steps': a.steps, 'warmup': a.warmup,
                       'jitter': a.jitter, 'droppedTokens': a.dropped_tokens},
        }
        with open(a.json, 'w') as f:
            json.dump(out, f, indent=2)
            f.write('\n')


if __name__ == '__main__':
    main()
