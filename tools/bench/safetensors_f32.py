# Reads a safetensors file of F32 tensors into torch tensors by name (the PyTorch twins in this
# folder load Switchyard's exported weights with it). Other dtypes are refused by name.
import json

import numpy as np
import torch


def read_safetensors(path):
    with open(path, 'rb') as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], 'little')
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for k, e in header.items():
        if k == '__metadata__':
            continue
        if e['dtype'] != 'F32':
            raise ValueError(f'{path}: {k} is {e["dtype"]}, only F32 is read here')
        a, b = e['data_offsets']
        out[k] = torch.from_numpy(np.frombuffer(data[a:b], dtype='<f4').copy().reshape(e['shape']))
    return out
