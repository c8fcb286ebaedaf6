"""``python -m autograder.build [--check] [EXERCISE ...]``: regenerate the stubs and the stored answers.

Instructors run it after changing ``solutions/`` or a check; with ``--check`` it
only reports what is out of date and exits 1 if anything is (the tests do the same).
"""

from __future__ import annotations

import argparse
import sys

from autograder import paths
from autograder.build import answers, stubs
from autograder.errors import CnnlabError
from autograder.exercises import EXERCISES, find_exercise


def _shown(path) -> str:
    """``path`` relative to the checkout when it is inside it, else as it is."""
    return str(path.relative_to(paths.CHECKOUT)) if path.is_relative_to(paths.CHECKOUT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.build", description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*", help="exercises whose stored answers to build (default: all)")
    parser.add_argument("--check", action="store_true", help="only report what is out of date; exit 1 if anything is")
    args = parser.parse_args(argv)
    try:
        chosen = [find_exercise(name) for name in args.exercises] or list(EXERCISES)
    except CnnlabError as error:
        parser.error(str(error))
    changed = stubs.stale_stubs() if args.check else stubs.write_stubs()
    lines = [f"{_shown(path)}: stub differs from solutions/" for path in changed]
    for exercise in chosen:
        where = _shown(paths.answers_file(exercise))
        if args.check:
            try:
                lines += [f"{where}: {line}" for line in answers.stale(exercise)[:5]]
            except CnnlabError as error:
                lines.append(f"{where}: {error}")
        elif answers.write(exercise):
            lines.append(f"{where}: rewritten")
    verb = "out of date" if args.check else "regenerated"
    for line in lines:
        print(f"{verb}: {line}")
    if not lines:
        print("exercises/ and the stored answers are in sync with solutions/")
    return 1 if args.check and lines else 0


if __name__ == "__main__":
    sys.exit(main())
