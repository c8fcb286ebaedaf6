"""The reference layers against PyTorch on this CPU: both on one thread, then both on two.

Rows, each the median of ``--repeat`` timed runs after warm-up runs:

- conv forward, and forward + backward (dx, dw, db), float32 and float64, on
  four shapes: ``solutions.convolution`` against ``F.conv2d`` with autograd;
- max and average pooling 2x2 stride 2, forward + backward, on (64, 16, 28, 28):
  ``solutions.pooling`` against ``F.max_pool2d`` and ``F.avg_pool2d``;
- one training epoch of the ``cnnlab train`` network on the 8x8 digits
  (reference layers, float32 as cnnlab trains) against the same network,
  optimizer, schedule, batches and initial weights in PyTorch;
- the wall time of ``cnnlab check exercise3`` and ``cnnlab status`` as real
  subprocesses on a copy of the reference solutions (from ``bench_grader.py``).

NumPy's BLAS is limited with ``threadpoolctl.threadpool_limits`` and PyTorch
with ``torch.set_num_threads``; before each setting's rows a large matrix product
in each library checks that the limit holds (CPU time over wall time).

Within a setting every NumPy row is timed before any PyTorch row, with a pause
between the blocks: PyTorch's OpenMP workers and OpenBLAS's threads both keep
spinning for a while after a call, and would otherwise steal the CPU from the
other library's next row.

Targets (judged on one thread; ratio = cnnlab time / torch time):
conv forward + backward at most 1.5 in float32 and 1.0 in float64 on every
shape; pooling forward + backward at most 0.5; the training epoch at most 1.0;
``cnnlab check exercise3`` under 2 s and ``cnnlab status`` under 10 s.

    python benchmarks/bench_torch.py [--repeat 50] [--command-repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from threadpoolctl import threadpool_info, threadpool_limits

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]  # the repository's solutions/, and bench_grader.py
from autograder.training.data import load_digits  # noqa: E402
from autograder.training.layers import load_reference_layers  # noqa: E402
from autograder.training.model import CNN  # noqa: E402
from autograder.training.train import TrainConfig, TrainProgress, cosine_factor, fit_epoch, seeded_generators  # noqa: E402
from bench_grader import reference_copy, wall  # noqa: E402
from solutions.convolution import conv_backward, conv_forward  # noqa: E402
from solutions.pooling import avg_pool_backward, avg_pool_forward, max_pool_backward, max_pool_forward  # noqa: E402

THREADS = (1, 2)  # the first setting is the one the targets judge
DTYPES = ("float32", "float64")
CONV_SHAPES = [  # (N, C, H, W, F, k, stride, pad)
    (64, 1, 28, 28, 8, 3, 1, 1),
    (64, 16, 14, 14, 32, 3, 1, 1),
    (32, 3, 32, 32, 16, 5, 1, 2),
    (128, 32, 16, 16, 64, 3, 2, 1),
]
CONV_TARGETS = {"float32": 1.5, "float64": 1.0}
POOL_SHAPE = (64, 16, 28, 28)
POOL_TARGET = 0.5
EPOCH_TARGET = 1.0
COMMANDS = [("cnnlab check exercise3", ["check", "exercise3"], 2.0),  # label, arguments, target in s
            ("cnnlab status", ["status"], 10.0)]
WARMUP = 3
PAUSE = 1.0  # seconds for the other library's spinning threads to go to sleep

Step = Callable[[], object]


@dataclass
class Case:
    """One row of the table: the same work in cnnlab and in PyTorch.

    ``numpy`` and ``torch`` are zero-argument callables doing the work once;
    ``target`` is the highest acceptable one-thread ratio, or None.
    ``seconds[threads] = (cnnlab, torch)`` medians, filled in by :func:`measure`.
    """

    name: str
    detail: str
    dtype: str
    numpy: Step
    torch: Step
    target: float | None = None
    seconds: dict[int, tuple[float, float]] = field(default_factory=dict)

    def ratio(self, threads: int) -> float:
        cnnlab, reference = self.seconds[threads]
        return cnnlab / reference


# ---------------------------------------------------------------- layer rows

def assert_same_work(label: str, ours, theirs, dtype: str) -> None:
    """Stop unless cnnlab's arrays match PyTorch's tensors: otherwise a row would time two different jobs.

    The tolerances only catch a wrong stride, padding or shape; ``tests/``
    holds the real cross-checks against PyTorch.
    """
    tol = 1e-3 if dtype == "float32" else 1e-9
    for name, a, t in zip(("first", "second", "third"), ours, theirs):
        np.testing.assert_allclose(a, t.detach().numpy(), rtol=tol, atol=tol,
                                   err_msg=f"{label}: cnnlab's and torch's {name} results differ")


def conv_steps(shape, dtype: str, rng: np.random.Generator) -> dict[str, tuple[Step, Step]]:
    """Forward and forward + backward of one convolution, in NumPy and in PyTorch.

    Parameters
    ----------
    shape : tuple (N, C, H, W, F, k, stride, pad)
    dtype : str
    rng : numpy.random.Generator

    Returns
    -------
    dict
        ``"forward"`` and ``"forward + backward"`` to a pair ``(numpy_step, torch_step)``.
        PyTorch's forward runs on tensors that require gradients, as in training.
    """
    N, C, H, W, Fn, k, stride, pad = shape
    x = rng.standard_normal((N, C, H, W)).astype(dtype)
    w = rng.standard_normal((Fn, C, k, k)).astype(dtype)
    b = rng.standard_normal(Fn).astype(dtype)
    out, _ = conv_forward(x, w, b, stride, pad)  # (N, F, H', W')
    dout = rng.standard_normal(out.shape).astype(dtype)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    tdout = torch.tensor(dout)

    def torch_forward():
        return F.conv2d(tx, tw, tb, stride=stride, padding=pad)

    def torch_both():
        tx.grad = tw.grad = tb.grad = None
        torch_forward().backward(tdout)

    torch_both()
    label = f"conv {conv_detail(shape)} {dtype}"
    assert_same_work(label, [out], [torch_forward()], dtype)
    grads = conv_backward(dout, conv_forward(x, w, b, stride, pad)[1])  # dx, dw, db
    assert_same_work(label, grads, [tx.grad, tw.grad, tb.grad], dtype)
    return {"forward": (lambda: conv_forward(x, w, b, stride, pad), torch_forward),
            "forward + backward": (lambda: conv_backward(dout, conv_forward(x, w, b, stride, pad)[1]), torch_both)}


def pool_steps(kind: str, dtype: str, rng: np.random.Generator) -> tuple[Step, Step]:
    """Forward + backward of 2x2 stride 2 ``kind`` ("max" or "avg") pooling on :data:`POOL_SHAPE`."""
    forward, backward, torch_pool = {
        "max": (max_pool_forward, max_pool_backward, F.max_pool2d),
        "avg": (avg_pool_forward, avg_pool_backward, F.avg_pool2d),
    }[kind]
    x = rng.standard_normal(POOL_SHAPE).astype(dtype)
    out, _ = forward(x, pool_size=2, stride=2)  # (N, C, H/2, W/2)
    dout = rng.standard_normal(out.shape).astype(dtype)
    tx, tdout = torch.tensor(x, requires_grad=True), torch.tensor(dout)

    def torch_both():
        tx.grad = None
        torch_pool(tx, kernel_size=2, stride=2).backward(tdout)

    torch_both()
    label = f"{kind} pool {dtype}"
    assert_same_work(label, [out, backward(dout, forward(x, pool_size=2, stride=2)[1])],
                     [torch_pool(tx, kernel_size=2, stride=2), tx.grad], dtype)
    return lambda: backward(dout, forward(x, pool_size=2, stride=2)[1]), torch_both


def conv_detail(shape) -> str:
    N, C, H, W, Fn, k, stride, pad = shape
    return f"N{N} C{C} {H}x{W} F{Fn} k{k} s{stride} p{pad}"


def layer_cases(rng: np.random.Generator) -> list[Case]:
    """Every conv and pooling row, in table order."""
    cases = []
    for part in ("forward", "forward + backward"):
        for dtype in DTYPES:
            for shape in CONV_SHAPES:
                numpy_step, torch_step = conv_steps(shape, dtype, rng)[part]
                target = CONV_TARGETS[dtype] if part == "forward + backward" else None
                cases.append(Case(f"conv {part}", conv_detail(shape), dtype, numpy_step, torch_step, target))
    for kind in ("max", "avg"):
        for dtype in DTYPES:
            numpy_step, torch_step = pool_steps(kind, dtype, rng)
            detail = "x".join(map(str, POOL_SHAPE)) + " 2x2/2"
            cases.append(Case(f"{kind} pool forward + backward", detail, dtype, numpy_step, torch_step, POOL_TARGET))
    return cases


# ---------------------------------------------------------------- the training epoch

class TorchCNN(torch.nn.Module):
    """The network of :class:`autograder.training.model.CNN` in PyTorch, starting from the same weights.

    Parameters
    ----------
    params : dict of str to ndarray
        ``CNN.params``: ``conv1_w`` (C1, C, 3, 3), ..., ``fc1_w`` (C2*(H//4)*(W//4), hidden),
        ``fc2_w`` (hidden, num_classes); copied, so cnnlab's model trains apart.
    dropout : float
    """

    def __init__(self, params: dict[str, np.ndarray], dropout: float):
        super().__init__()
        self.p = torch.nn.ParameterDict({k: torch.nn.Parameter(torch.tensor(v)) for k, v in params.items()})
        self.dropout = dropout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Scores (N, num_classes) of images (N, C, H, W), with dropout on."""
        p = self.p
        h = F.max_pool2d(F.relu(F.conv2d(x, p["conv1_w"], p["conv1_b"], padding=1)), 2)  # (N, C1, H/2, W/2)
        h = F.max_pool2d(F.relu(F.conv2d(h, p["conv2_w"], p["conv2_b"], padding=1)), 2)  # (N, C2, H/4, W/4)
        h = F.relu(h.flatten(1) @ p["fc1_w"] + p["fc1_b"])  # (N, hidden)
        h = F.dropout(h, self.dropout, training=True)
        return h @ p["fc2_w"] + p["fc2_b"]  # (N, num_classes)


def epoch_steps(config: TrainConfig) -> tuple[Step, Step]:
    """One epoch over the shuffled digits in minibatches, in cnnlab and in PyTorch.

    cnnlab's side is the loop of ``cnnlab train`` itself (``fit_epoch`` in
    :mod:`autograder.training.train`) without the progress bar and the test-set
    evaluation: the reference layers as ``load_reference_layers`` wraps them,
    their Adam, and the cosine schedule through ``scaled_step``. PyTorch's side is the same network from
    the same initial weights, ``torch.optim.Adam`` with the same learning rate
    and weight decay, the same cosine as a ``LambdaLR``, and the same batches.
    Both keep training from one timed epoch to the next; each epoch costs the same.
    ``cnnlab train`` itself always keeps NumPy's BLAS on one thread (see
    ``single_threaded_blas``); the two-thread row shows what a second would give.
    """
    data, layers = load_digits(), load_reference_layers()
    init_rng, shuffle_rng, dropout_rng = seeded_generators(config.seed)
    model = CNN(layers, data.input_shape, config.channels, config.hidden, len(data.classes),
                config.dropout, rng=init_rng)
    if not (model.dtype == data.x_train.dtype == np.float32):
        raise SystemExit(f"cnnlab trains in {model.dtype} on {data.x_train.dtype} images; "
                         "this benchmark's PyTorch side assumes float32: update it.")
    net = TorchCNN(model.params, config.dropout)
    n, bs = len(data.x_train), config.batch_size
    batches = math.ceil(n / bs)
    total = config.epochs * batches
    optimizer = layers.Adam(lr=config.lr, weight_decay=config.weight_decay)
    torch_optimizer = torch.optim.Adam(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(torch_optimizer, lambda step: cosine_factor(step % total, total))
    tx, ty = torch.from_numpy(data.x_train), torch.from_numpy(data.y_train)
    epochs = itertools.count()  # epochs taken by cnnlab's side; its cosine starts over after config.epochs

    def numpy_epoch():
        epoch = next(epochs) % config.epochs + 1
        return fit_epoch(model, optimizer, config, data, epoch, shuffle_rng, dropout_rng, TrainProgress())

    def torch_epoch():
        order = torch.from_numpy(shuffle_rng.permutation(n))
        loss_sum = 0.0
        for b in range(batches):
            idx = order[b * bs:(b + 1) * bs]
            loss = F.cross_entropy(net(tx[idx]), ty[idx])
            torch_optimizer.zero_grad()
            loss.backward()
            torch_optimizer.step()
            schedule.step()
            loss_sum += loss.item()
        return loss_sum

    return numpy_epoch, torch_epoch


def epoch_case(config: TrainConfig) -> Case:
    numpy_epoch, torch_epoch = epoch_steps(config)
    C1, C2 = config.channels
    detail = f"digits, batch {config.batch_size}, channels {C1},{C2}, hidden {config.hidden}"
    return Case("training epoch", detail, "float32", numpy_epoch, torch_epoch, EPOCH_TARGET)


# ---------------------------------------------------------------- timing

def median_seconds(step: Step, repeat: int) -> float:
    """Median wall time of ``step()`` over ``repeat`` runs, after :data:`WARMUP` untimed ones.

    The garbage collector is off while timing (as in :mod:`timeit`), so a
    collection started by one library's garbage is not billed to the other.
    """
    for _ in range(WARMUP):
        step()
    gc.collect()
    gc.disable()
    try:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return statistics.median(times)


def cpu_per_wall(step: Step, runs: int = 4) -> float:
    """CPU seconds of the whole process per wall second while ``step`` runs: about the threads it keeps busy."""
    step()
    cpu, start = time.process_time(), time.perf_counter()
    for _ in range(runs):
        step()
    return (time.process_time() - cpu) / (time.perf_counter() - start)


def check_limits(threads: int) -> dict[str, float]:
    """Make sure NumPy's BLAS and PyTorch now use ``threads`` threads, and return their CPU/wall.

    Whether more threads really got more CPUs is for :func:`warnings` to say:
    on a busy machine they may not, and that is no error of the limits.

    Raises
    ------
    SystemExit
        If a library reports another thread count, or a one-thread setting
        keeps more than one CPU busy (the limit did not reach the library).
    """
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    counts = {pool["filepath"]: pool["num_threads"] for pool in blas}
    if not blas or set(counts.values()) != {threads}:
        raise SystemExit(f"threadpool_limits({threads}) left NumPy's BLAS with these threads: {counts}")
    if torch.get_num_threads() != threads:
        raise SystemExit(f"torch.set_num_threads({threads}) left torch with {torch.get_num_threads()} threads")
    a = np.random.default_rng(0).standard_normal((1024, 1024))
    ta = torch.from_numpy(a)
    usage = {"numpy": cpu_per_wall(lambda: a @ a)}
    time.sleep(PAUSE)
    usage["torch"] = cpu_per_wall(lambda: ta @ ta)
    time.sleep(PAUSE)
    for library, busy in usage.items():
        if threads == 1 and busy > 1.25:
            raise SystemExit(f"{library} keeps {busy:.2f} CPUs busy with its thread limit at 1: "
                             "the limit did not take effect, and the one-thread rows would be wrong.")
    return usage


def time_block(steps: list[Step], repeat: int) -> tuple[list[float], float]:
    """Median seconds of each step, and the CPUs the process kept busy meanwhile (CPU time / wall time)."""
    cpu, start = time.process_time(), time.perf_counter()
    seconds = [median_seconds(step, repeat) for step in steps]
    busy = (time.process_time() - cpu) / (time.perf_counter() - start)
    time.sleep(PAUSE)
    return seconds, busy


def measure(cases: list[Case], repeat: int) -> tuple[dict[int, dict[str, float]], dict[int, dict[str, float]]]:
    """Fill in ``case.seconds`` for every thread setting.

    Returns
    -------
    probes, blocks : dict of int to dict of str to float
        For each thread count and library ("numpy", "torch"), the CPUs kept busy
        by :func:`check_limits`' matrix product (the fewer of before and after
        the timed rows) and over the whole timed block.
        A one-thread block well under 1 lost its CPU to other work.
    """
    probes, blocks = {}, {}
    for threads in THREADS:
        torch.set_num_threads(threads)
        with threadpool_limits(limits=threads, user_api="blas"):
            before = check_limits(threads)
            print(f"{threads} thread(s): timing cnnlab...", flush=True)
            cnnlab, numpy_busy = time_block([case.numpy for case in cases], repeat)
            print(f"{threads} thread(s): timing torch...", flush=True)
            reference, torch_busy = time_block([case.torch for case in cases], repeat)
            after = check_limits(threads)  # again: other work may have started meanwhile
        probes[threads] = {library: min(before[library], after[library]) for library in before}
        blocks[threads] = {"numpy": numpy_busy, "torch": torch_busy}
        for case, c, t in zip(cases, cnnlab, reference):
            case.seconds[threads] = (c, t)
    return probes, blocks


def measure_commands(repeat: int) -> list[tuple[str, float, float, float]]:
    """``(label, median s, worst s, target s)`` of each of :data:`COMMANDS`, after one untimed run."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = reference_copy(Path(tmp))
        for label, args, target in COMMANDS:
            argv = [*args, "--path", str(folder)]
            wall(argv)
            times = [wall(argv) for _ in range(repeat)]
            rows.append((label, statistics.median(times), max(times), target))
    return rows


# ---------------------------------------------------------------- reporting

def numpy_blas() -> dict:
    """threadpoolctl's description of NumPy's BLAS: version, architecture, threads."""
    return next(pool for pool in threadpool_info() if pool["user_api"] == "blas")


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.is_file() else []
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return names[0] if names else platform.processor() or "an unknown CPU"


def busy_line(usage: dict[int, dict[str, float]]) -> str:
    return "; ".join(f"{t} thread{'s' * (t > 1)}: cnnlab {u['numpy']:.2f}, torch {u['torch']:.2f}"
                     for t, u in usage.items())


def environment(repeat: int, load: tuple[tuple[float, ...], tuple[float, ...]],
                probes: dict[int, dict[str, float]], blocks: dict[int, dict[str, float]]) -> list[str]:
    """Lines saying where and how the numbers were taken."""
    blas = numpy_blas()
    before, after = (", ".join(f"{v:.2f}" for v in avg) for avg in load)
    return [
        f"{date.today()} on {cpu_model()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        f"NumPy {np.__version__} with {blas['internal_api']} {blas['version']} ({blas['architecture']} kernels, "
        f"{blas['threading_layer']} threading layer); torch {torch.__version__}",
        f"Medians of {repeat} runs after {WARMUP} warm-up runs; ratio = cnnlab time / torch time; "
        f"1T and 2T: both libraries on one thread, on two; targets judged on one thread",
        f"CPUs kept busy by a 1024x1024 float64 matrix product, before and after the rows (the fewer; "
        f"the thread limits at work): {busy_line(probes)}",
        f"CPUs kept busy over each block of timed rows: {busy_line(blocks)}",
        f"Load average (1, 5, 15 min): {before} before, {after} after",
    ]


def warnings(probes: dict[int, dict[str, float]], blocks: dict[int, dict[str, float]]) -> list[str]:
    """Say so when other programs took CPUs the measurements needed."""
    found = []
    one, more = THREADS
    if min(blocks[one].values()) < 0.9:
        found.append("Warning: a one-thread block kept its CPU busy less than 90% of the time: other work "
                     "took it, so its medians are too slow. Run again on a quiet machine.")
    if min(probes[more].values()) < 0.75 * more:
        found.append(f"Warning: with {more} threads a matrix product kept only "
                     f"{min(probes[more].values()):.2f} CPUs busy: another program was running, "
                     f"and the {more}-thread columns say more about it than about cnnlab or torch.")
    return found


def verdict(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return "met" if value <= target else f"missed ({value / target:.2f}x)"


def layer_rows(cases: list[Case]) -> list[list[str]]:
    """The cells of the main table, one list per case."""
    rows = []
    for case in cases:
        cells = [case.name, case.detail, case.dtype]
        for threads in THREADS:
            c, t = case.seconds[threads]
            cells += [f"{1e3 * c:.2f}", f"{1e3 * t:.2f}", f"{case.ratio(threads):.2f}"]
        target = "" if case.target is None else f"<= {case.target:g}"
        rows.append(cells + [target, verdict(case.ratio(THREADS[0]), case.target)])
    return rows


def layer_header() -> list[str]:
    header = ["row", "shape", "dtype"]
    for threads in THREADS:
        header += [f"{threads}T cnnlab ms", f"{threads}T torch ms", f"{threads}T ratio"]
    return header + ["target", "1T verdict"]


def command_rows(commands) -> list[list[str]]:
    """The cells of the commands' table; a command meets its target if its median is under it."""
    return [[label, f"{median:.2f}", f"{worst:.2f}", f"< {target:g}",
             "met" if median < target else f"missed ({median / target:.2f}x)"]
            for label, median, worst, target in commands]


COMMAND_HEADER = ["command", "median s", "worst s", "target s", "met"]


def text_table(header: list[str], rows: list[list[str]]) -> str:
    """A plain table: text columns left-aligned, numbers right-aligned."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    numeric = [all(r[i].replace(".", "", 1).isdigit() for r in rows if r[i]) for i in range(len(header))]

    def line(cells):
        return "  ".join(c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric)).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    numeric = [all(r[i].replace(".", "", 1).isdigit() for r in rows if r[i]) for i in range(len(header))]
    align = ["---:" if num else "---" for num in numeric]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in [header, align, *rows])


def markdown_report(env: list[str], cases: list[Case], commands, command: str) -> str:
    return "\n".join([
        "# cnnlab's reference layers against PyTorch on the CPU", "",
        f"Measured with `{command}`.", "",
        *[f"- {line}" for line in env], "",
        markdown_table(layer_header(), layer_rows(cases)), "",
        markdown_table(COMMAND_HEADER, command_rows(commands)), "",
    ])


def plot_ratios(cases: list[Case], subtitle: str, path: Path) -> None:
    """Save a bar chart: per row, one bar per thread setting and a red mark at the target.

    One-thread bars that miss their target are hatched. The x axis is
    logarithmic, so twice as slow and twice as fast are equally far from 1.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    ratios = {t: np.array([c.ratio(t) for c in cases]) for t in THREADS}
    rows = np.arange(len(cases))
    fig, ax = plt.subplots(figsize=(10, 0.55 * len(cases) + 2.4))
    height, colours = 0.38, {THREADS[0]: "#1f77b4", THREADS[1]: "#9ecae1"}
    for k, threads in enumerate(THREADS):
        y = rows + (k - 0.5) * height
        missed = [k == 0 and c.target is not None and r > c.target for c, r in zip(cases, ratios[threads])]
        ax.barh(y, ratios[threads], height, color=colours[threads], hatch=["//" if m else "" for m in missed],
                edgecolor="white", linewidth=0)
        for yi, r, case in zip(y, ratios[threads], cases):  # the number right of the bar and of the target mark
            ax.text(max(r, case.target or 0) * 1.04, yi, f"{r:.2f}", va="center", fontsize=7.5)
    for i, case in enumerate(cases):
        if case.target is not None:
            ax.plot([case.target] * 2, [i - 0.45, i + 0.45], color="#d62728", lw=2.2)
    ax.axvline(1.0, color="0.3", ls="--", lw=1)
    groups = ["pooling" if "pool" in c.name else c.name for c in cases]
    for i in range(1, len(cases)):  # a rule between conv forward, conv both ways, pooling and the epoch
        if groups[i] != groups[i - 1]:
            ax.axhline(i - 0.5, color="0.6", lw=0.8)

    low = min(0.1, 0.7 * min(r.min() for r in ratios.values()))
    ax.set_xscale("log")
    ax.set_xlim(low, 2.5 * max(r.max() for r in ratios.values()))
    ax.set_ylim(len(cases) - 0.5, -0.5)  # first row on top
    ax.set_yticks(rows, [f"{c.name}, {c.dtype}\n{c.detail}" for c in cases], fontsize=8)
    ax.grid(axis="x", which="both", alpha=0.3)
    ax.set_xlabel("cnnlab time / torch time (log scale; under 1: cnnlab is faster)")
    ax.set_title(f"cnnlab's reference layers against PyTorch {torch.__version__} on the CPU\n{subtitle}", fontsize=10)
    handles = [Patch(color=colours[t], label=f"both on {t} thread{'s' * (t > 1)}") for t in THREADS]
    handles += [Patch(facecolor=colours[THREADS[0]], hatch="//", edgecolor="white", label="1 thread, target missed"),
                plt.Line2D([], [], color="#d62728", lw=2.2, label="target (judged on 1 thread)"),
                plt.Line2D([], [], color="0.3", ls="--", lw=1, label="as fast as torch")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.045 * 24 / (len(cases) + 3)),
              ncol=3, fontsize=8, frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------- main

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:]))
    parser.add_argument("--repeat", type=int, default=50,
                        help="timed runs per layer and epoch row; the median is reported (default: 50)")
    parser.add_argument("--command-repeat", type=int, default=5,
                        help="timed runs of each cnnlab command (default: 5)")
    parser.add_argument("--markdown", type=Path, default=ROOT / "benchmarks" / "results" / "bench_torch.md",
                        help="where to write the tables as Markdown (default: %(default)s)")
    parser.add_argument("--figure", type=Path, default=ROOT / "docs" / "figures" / "bench-torch.png",
                        help="where to save the bar chart of the ratios (default: %(default)s)")
    args = parser.parse_args(argv)
    for option in ("repeat", "command_repeat"):
        if getattr(args, option) < 1:
            parser.error(f"--{option.replace('_', '-')} must be at least 1, got {getattr(args, option)}")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    options = sys.argv[1:] if argv is None else argv
    command = " ".join(["python benchmarks/bench_torch.py", *options])
    started = time.perf_counter()
    load_before = os.getloadavg()
    cases = layer_cases(np.random.default_rng(0)) + [epoch_case(TrainConfig())]
    probes, blocks = measure(cases, args.repeat)
    print("timing the cnnlab commands...", flush=True)
    commands = measure_commands(args.command_repeat)
    env = environment(args.repeat, (load_before, os.getloadavg()), probes, blocks) + warnings(probes, blocks)

    print()
    print("\n".join(env))
    print()
    print(text_table(layer_header(), layer_rows(cases)))
    print()
    print(text_table(COMMAND_HEADER, command_rows(commands)))
    args.markdown.parent.mkdir(parents=True, exist_ok=True)
    args.markdown.write_text(markdown_report(env, cases, commands, command))
    blas = numpy_blas()
    subtitle = (f"{cpu_model()}, {os.cpu_count()} CPUs; NumPy {np.__version__}, OpenBLAS {blas['version']} "
                f"({blas['architecture']} kernels)\nmedians of {args.repeat} runs, {date.today()}")
    plot_ratios(cases, subtitle, args.figure)
    print(f"\nWrote {args.markdown} and {args.figure} in {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
