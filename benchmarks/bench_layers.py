"""Time the reference convolution and max-pooling layers against PyTorch.

Each row is one forward plus one backward pass on a CNN-sized batch, as the
median of ``--repeat`` runs in milliseconds. All NumPy rows are timed before any
PyTorch row: PyTorch's OpenMP threads keep spinning for a while after each call
and would otherwise steal the CPU from NumPy's BLAS threads.

    .venv/bin/python benchmarks/bench_layers.py [--repeat 50] [--dtype float32 float64]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from solutions.convolution import conv_backward, conv_forward  # noqa: E402
from solutions.pooling import max_pool_backward, max_pool_forward  # noqa: E402

TORCH_THREADS = 2

# name, x shape, w shape (None for pooling), layer arguments
CASES = [
    ("conv 3x3 pad 1", (64, 8, 8, 8), (16, 8, 3, 3), {"stride": 1, "pad": 1}),
    ("conv 3x3 pad 1", (64, 1, 28, 28), (8, 1, 3, 3), {"stride": 1, "pad": 1}),
    ("conv 3x3 pad 1", (64, 8, 14, 14), (16, 8, 3, 3), {"stride": 1, "pad": 1}),
    ("max pool 2 stride 2", (64, 8, 28, 28), None, {"pool_size": 2, "stride": 2}),
    ("max pool 2 stride 2", (64, 16, 8, 8), None, {"pool_size": 2, "stride": 2}),
    ("max pool 3 stride 2", (64, 8, 28, 28), None, {"pool_size": 3, "stride": 2}),
]


def median_ms(fn, repeat: int) -> float:
    """Median wall time of ``fn()`` in milliseconds, after two warm-up calls."""
    fn(), fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def numpy_step(x, w, args, rng):
    """One forward + backward of the reference layer, as a zero-argument callable."""
    if w is None:
        out, _ = max_pool_forward(x, **args)
        dout = rng.standard_normal(out.shape).astype(x.dtype)
        return lambda: max_pool_backward(dout, max_pool_forward(x, **args)[1])
    b = np.zeros(w.shape[0], dtype=x.dtype)
    out, _ = conv_forward(x, w, b, **args)
    dout = rng.standard_normal(out.shape).astype(x.dtype)
    return lambda: conv_backward(dout, conv_forward(x, w, b, **args)[1])


def torch_step(x, w, args, rng):
    """The same forward + backward in PyTorch (autograd), as a zero-argument callable."""
    tx = torch.tensor(x, requires_grad=True)
    if w is None:
        def forward():
            return F.max_pool2d(tx, kernel_size=args["pool_size"], stride=args["stride"])
        params = [tx]
    else:
        tw = torch.tensor(w, requires_grad=True)
        tb = torch.zeros(w.shape[0], dtype=tw.dtype, requires_grad=True)

        def forward():
            return F.conv2d(tx, tw, tb, stride=args["stride"], padding=args["pad"])
        params = [tx, tw, tb]
    dout = torch.tensor(rng.standard_normal(tuple(forward().shape)).astype(x.dtype))

    def step():
        for p in params:
            p.grad = None
        forward().backward(dout)
    return step


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="timed runs per row (median reported)")
    parser.add_argument("--dtype", nargs="+", default=["float32", "float64"], choices=["float32", "float64"])
    args = parser.parse_args(argv)
    torch.set_num_threads(TORCH_THREADS)
    load_before = os.getloadavg()[0]
    rng = np.random.default_rng(0)
    rows = []
    for dtype in args.dtype:
        for name, x_shape, w_shape, layer_args in CASES:
            x = rng.standard_normal(x_shape).astype(dtype)
            w = None if w_shape is None else rng.standard_normal(w_shape).astype(dtype)
            rows.append((name, x_shape, w_shape, dtype, layer_args, x, w))
    numpy_ms = [median_ms(numpy_step(x, w, a, rng), args.repeat) for *_, a, x, w in rows]
    torch_ms = [median_ms(torch_step(x, w, a, rng), args.repeat) for *_, a, x, w in rows]

    print(f"forward + backward, median of {args.repeat} runs, ms "
          f"(NumPy {np.__version__}; torch {torch.__version__}, {TORCH_THREADS} threads)")
    header = f"{'layer':<20} {'x':<16} {'w':<14} {'dtype':<8} {'numpy':>8} {'torch':>8} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for (name, x_shape, w_shape, dtype, *_), n_ms, t_ms in zip(rows, numpy_ms, torch_ms):
        shape = "x".join(map(str, x_shape))
        kernel = "-" if w_shape is None else "x".join(map(str, w_shape))
        print(f"{name:<20} {shape:<16} {kernel:<14} {dtype:<8} {n_ms:8.3f} {t_ms:8.3f} {n_ms / t_ms:6.2f}")
    # Both libraries run two threads: on a busy machine the medians mean little.
    print(f"1-minute load average: {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, "
          f"on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
