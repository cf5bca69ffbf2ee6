#!/usr/bin/env python3
"""numpy twin of the bag-of-words logistic-regression baseline (tools/cls/baselines.mjs,
packages/data-prep/src/text-classification/logistic-regression.ts), written independently of it:
its own CSV/TSV reading (Python's csv module, gzip), tokenisation (str.strip().lower().split()),
features, power iteration and Nesterov loop, with the same recipe:
  features: binary presence of train words, each row scaled to unit L2 norm
  lambda = 1/N, eta = 1/(0.5*lambda_max([X 1]^T [X 1]/N) + lambda) (50 power iterations from ones),
  mu = (1 - sqrt(eta*lambda)) / (1 + sqrt(eta*lambda)), 300 steps of v <- mu v - eta grad(theta + mu v).
Usage: python3 tools/cls/logreg-twin.py banking77 DIR | sst2 DIR   (prints JSON)
Only numpy is needed (no scikit-learn)."""
import csv, gzip, io, json, os, sys, time
import numpy as np


def read_banking77(d):
    cats = json.load(open(os.path.join(d, 'categories.json'), encoding='utf-8'))
    idx = {c: i for i, c in enumerate(cats)}
    out = {}
    for split in ('train', 'test'):
        with open(os.path.join(d, split + '.csv'), encoding='utf-8', newline='') as f:
            rows = list(csv.reader(f))
        assert rows[0] == ['text', 'category'], rows[0]
        out[split] = [(t, idx[c]) for t, c in rows[1:]]
    return out, len(cats)


def read_sst2(d):
    def read(name):
        p = os.path.join(d, name)
        raw = gzip.open(p + '.gz', 'rb').read() if not os.path.exists(p) else open(p, 'rb').read()
        lines = raw.decode('utf-8').split('\n')
        assert lines[0] == 'sentence\tlabel'
        return [(s.strip(), int(l)) for s, l in (ln.split('\t') for ln in lines[1:] if ln)]
    return {'train': read('train.tsv'), 'dev': read('dev.tsv')}, 2


def features(texts, vocab):
    rows, cols, vals = [], [], []
    for r, t in enumerate(texts):
        js = sorted({vocab[w] for w in t.strip().lower().split() if w in vocab})
        for j in js:
            rows.append(r); cols.append(j); vals.append(1.0 / np.sqrt(len(js)))
    return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64), np.array(vals), len(texts)


def matvec(X, W, b):  # logits [N, C]
    rows, cols, vals, n = X
    contrib = vals[:, None] * W[cols]
    Z = np.zeros((n, W.shape[1]))
    np.add.at(Z, rows, contrib)
    return Z + b


def loss_grad(X, Y, W, b, lam):
    rows, cols, vals, n = X
    Z = matvec(X, W, b)
    Z -= Z.max(axis=1, keepdims=True)
    P = np.exp(Z)
    P /= P.sum(axis=1, keepdims=True)
    loss = -np.log(P[np.arange(n), Y]).mean() + 0.5 * lam * (W * W).sum()
    P[np.arange(n), Y] -= 1
    P /= n
    gW = np.zeros_like(W)
    np.add.at(gW, cols, vals[:, None] * P[rows])
    return loss, gW + lam * W, P.sum(axis=0)


def top_eig(X, D, steps=50):
    rows, cols, vals, n = X
    v = np.full(D + 1, 1 / np.sqrt(D + 1))
    lam = 0.0
    for _ in range(steps):
        xv = np.full(n, v[D])
        np.add.at(xv, rows, vals * v[cols])
        u = np.zeros(D + 1)
        np.add.at(u, cols, vals * xv[rows])
        u[D] = xv.sum()
        u /= n
        lam = np.linalg.norm(u)
        v = u / lam
    return lam


def main():
    name, d = sys.argv[1], sys.argv[2]
    t0 = time.process_time()
    data, C = read_banking77(d) if name == 'banking77' else read_sst2(d)
    train = data['train']
    vocab = {}
    for t, _ in train:
        for w in t.strip().lower().split():
            vocab.setdefault(w, len(vocab))
    D = len(vocab)
    X = features([t for t, _ in train], vocab)
    Y = np.array([y for _, y in train])
    n = len(train)
    lam = 1.0 / n
    eta = 1.0 / (0.5 * top_eig(X, D) + lam)
    mu = (1 - np.sqrt(eta * lam)) / (1 + np.sqrt(eta * lam))
    W, b = np.zeros((D, C)), np.zeros(C)
    vW, vb = np.zeros((D, C)), np.zeros(C)
    for _ in range(300):
        _, gW, gb = loss_grad(X, Y, W + mu * vW, b + mu * vb, lam)
        vW = mu * vW - eta * gW; W = W + vW
        vb = mu * vb - eta * gb; b = b + vb
    loss, _, _ = loss_grad(X, Y, W, b, lam)
    out = {'dataset': name, 'features': D, 'l2': lam, 'learningRate': eta, 'momentum': mu, 'finalTrainLoss': loss, 'accuracy': {}}
    for split, rows in data.items():
        pred = matvec(features([t for t, _ in rows], vocab), W, b).argmax(axis=1)
        out['accuracy'][split] = float((pred == np.array([y for _, y in rows])).mean())
    out['cpuSeconds'] = time.process_time() - t0
    print(json.dumps(out, indent=2))


if __name__ == '__main__':
    main()
