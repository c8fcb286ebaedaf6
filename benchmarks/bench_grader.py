"""How long a student waits: wall time of `cnnlab check exercise3` and `cnnlab status`.

Runs the real command line in a subprocess (start-up, isolation and all) on a
copy of the reference solutions, several times, and prints the median and the
worst. Targets on the 2-core reference machine: check under 2 s, status under 10 s.

    python benchmarks/bench_grader.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CNNLAB = Path(sys.executable).with_name("cnnlab")


def reference_copy(folder: Path) -> Path:
    for path in (ROOT / "solutions").glob("*.py"):
        if path.name != "__init__.py":
            shutil.copy(path, folder)
    return folder


def wall(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([str(CNNLAB), *args], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"cnnlab {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = reference_copy(Path(tmp))
        rows = [(f"cnnlab check {name}", ["check", name, "--path", str(folder)], target)
                for name, target in (("exercise1", 2.0), ("exercise2", 2.0), ("exercise3", 2.0),
                                     ("exercise4", 2.0), ("exercise5", 2.0), ("exercise6", 2.0))]
        rows += [("cnnlab check exercise3 --hidden", ["check", "exercise3", "--hidden", "--path", str(folder)], 2.0),
                 ("cnnlab status", ["status", "--path", str(folder)], 10.0)]
        print(f"{'command':34} {'median s':>9} {'worst s':>8} {'target s':>9}")
        for label, argv, target in rows:
            times = [wall(argv) for _ in range(args.repeat)]
            flag = "" if max(times) < target else "  OVER TARGET"
            print(f"{label:34} {statistics.median(times):9.2f} {max(times):8.2f} {target:9.1f}{flag}")


if __name__ == "__main__":
    main()
