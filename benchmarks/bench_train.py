"""How good and how fast `cnnlab train --impl reference` is on the 8x8 digits.

Three measurements, each repeated:

1. accuracy over seeds: the test accuracy of the default settings for seeds 0..S-1;
2. training time: the training loop alone (train_model, in this process), default seed;
3. the whole command: wall time of `cnnlab train --impl reference` in a subprocess
   (start-up, data, training, figures and files), with and without the figures,
   and of `cnnlab --help` (start-up alone);
4. the pace probe: the training loop with a student's copy of the reference
   layers (the first minibatches timed call by call and rehearsed with the
   reference) against the reference's own loop; with ``--slow``, also the
   estimate for the loop-written convolution of the fixtures against the
   time its one epoch really takes.

Targets on the 2-core reference machine: at least 98% test accuracy within
15 epochs, training under 2 s, the whole command under 5 s, the probe adding
under 5% to the training loop, the slow run's estimate within a factor 1.5.

Wall time is the target, but on a machine busy with other work it says more
about the neighbours than about cnnlab, so the CPU time (user + system) of the
same runs is printed next to it, and the load average before and after.

    python benchmarks/bench_train.py [--repeat 3] [--seeds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CNNLAB = Path(sys.executable).with_name("cnnlab")


def wall(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one `cnnlab ARGS` run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([str(CNNLAB), *args], cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"cnnlab {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def line(label: str, runs: list[tuple[float, float]]) -> str:
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    return (f"{label:<42} wall median {statistics.median(walls):5.2f} s, worst {max(walls):5.2f} s"
            f"   cpu median {statistics.median(cpus):5.2f} s   (walls: {', '.join(f'{v:.2f}' for v in walls)})")


def train_timed(config, layers, data) -> tuple[float, float]:
    from autograder.training.train import train_model

    cpu = time.process_time()
    result = train_model(config, layers, data)
    return result.seconds, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timing")
    parser.add_argument("--seeds", type=int, default=10, help="seeds for the accuracy figures")
    parser.add_argument("--slow", action="store_true", help="also train one epoch with the loop-written convolution")
    args = parser.parse_args()

    from autograder.training.data import load_digits
    from autograder.training.layers import load_reference_layers
    from autograder.training.train import TrainConfig, train_model

    layers, data = load_reference_layers(), load_digits()
    config = TrainConfig()
    print(f"Settings: {config}")

    accuracies = [train_model(TrainConfig(seed=s), layers, data).test_accuracy for s in range(args.seeds)]
    print(f"Test accuracy, seeds 0..{args.seeds - 1}: " + ", ".join(f"{100 * a:.1f}" for a in accuracies))
    print(f"  min {100 * min(accuracies):.1f}%   mean {100 * statistics.mean(accuracies):.1f}%   "
          f"seeds under 98%: {sum(a < 0.98 for a in accuracies)}")

    print(f"Load average before the timings: {os.getloadavg()[0]:.2f}")
    train_times = [train_timed(config, layers, data) for _ in range(args.repeat)]
    print(line(f"training loop ({config.epochs} epochs, seed {config.seed})", train_times))

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start_up = [wall(["--help"], tmp) for _ in range(args.repeat)]
        full = [wall(["train", "--impl", "reference", "--out", str(tmp / f"run{i}")], tmp) for i in range(args.repeat)]
        bare = [wall(["train", "--impl", "reference", "--no-plots", "--out", str(tmp / f"bare{i}")], tmp)
                for i in range(args.repeat)]
        metrics = json.loads((tmp / "run0" / "metrics.json").read_text())
    print(line("cnnlab --help (start-up)", start_up))
    print(line("cnnlab train --impl reference", full))
    print(line("cnnlab train --impl reference --no-plots", bare))
    print(f"Load average after: {os.getloadavg()[0]:.2f}")
    print(f"The command's own run: test accuracy {100 * metrics['test_accuracy']:.1f}%, "
          f"training {metrics['train_seconds']:.2f} s, inside the command {metrics['total_seconds']:.2f} s")
    pace(config, layers, data, args.repeat, args.slow)


def student_copy(folder: Path, naive: bool) -> Path:
    import shutil

    for path in (ROOT / "solutions").glob("*.py"):
        shutil.copy(path, folder / path.name)
    if naive:
        shutil.copy(ROOT / "tests/fixtures/submissions/ex3_naive_loops/convolution.py", folder / "convolution.py")
    return folder


def pace(config, reference, data, repeat: int, slow: bool) -> None:
    """What timing a student's layers costs, and how near the estimate comes."""
    import dataclasses

    from autograder.training.layers import load_student_layers
    from autograder.training.train import TrainProgress

    class Keep(TrainProgress):
        def pace(self, estimate):
            self.estimate = estimate

    with tempfile.TemporaryDirectory() as tmp:
        copy = load_student_layers(student_copy(Path(tmp), naive=False))
        unprobed = dataclasses.replace(copy, origin="reference")  # training skips the probe for the reference
        runs = {"probed": [], "unprobed": []}
        for _ in range(repeat):  # interleaved, so a busy spell of the machine hits both alike
            runs["probed"].append(train_timed(config, copy, data))
            runs["unprobed"].append(train_timed(config, unprobed, data))
    print(line("training loop, student's copy, probed", runs["probed"]))
    print(line("training loop, student's copy, not probed", runs["unprobed"]))
    best = {name: min(cpu for _, cpu in timings) for name, timings in runs.items()}
    print(f"  the probe (its timed minibatches and the reference's rehearsal), fastest CPU times: "
          f"{100 * (best['probed'] / best['unprobed'] - 1):+.1f}% (target under +5%)")
    if slow:
        from autograder.training.train import train_model

        with tempfile.TemporaryDirectory() as tmp:
            naive = load_student_layers(student_copy(Path(tmp), naive=True))
            keep = Keep()
            result = train_model(dataclasses.replace(config, epochs=1), naive, data, keep)
        print(f"loop-written convolution, 1 epoch: estimated {keep.estimate.seconds:.1f} s after "
              f"{keep.estimate.batches + 1} minibatches, took {result.seconds:.1f} s "
              f"(reference estimated {keep.estimate.reference_seconds:.2f} s)")


if __name__ == "__main__":
    main()
