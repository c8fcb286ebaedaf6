"""The kernel's walls around the sandbox child, what ``cnnlab doctor`` says about them, and hidden grading's refusal.

The probes below first switch the audit hook off (assigning a no-op to its
``__code__``, which the hook does not refuse), so that what stops them is the
kernel alone: the namespaces' mount view, Landlock and seccomp. Each returns
the errno it met, 0 when the forbidden thing worked. Run without the kernel
layers, the same probes get through, which shows they can fail.
"""

from __future__ import annotations

import errno
import json
import os
import textwrap
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from autograder.cli.app import app
from autograder.errors import CnnlabError
from autograder.exercises import find_exercise
from autograder.grading.grader import grade_exercise, protected_folders
from autograder.report.console import render_check
from autograder.report.gradescope import results_json
from autograder.sandbox import isolation
from autograder.sandbox.runner import Sandbox
from tests.grading.test_grader import submission_from

ROOT = Path(__file__).resolve().parents[2]
KERNEL = isolation.kernel_isolation(isolation._probe(False))
needs_kernel = pytest.mark.skipif(not KERNEL, reason="this machine lacks the kernel layers (cnnlab doctor)")

PROBES = textwrap.dedent('''
    import errno, gc, os, resource, signal, socket, sys, threading, types

    def _noop():
        process_events = fs_events = write_flags = None
        def hook(event, args, roots=()):
            return (process_events, fs_events, write_flags) and None  # the same free variables, no checks
        return hook

    def _unhook():
        for obj in gc.get_objects():
            if isinstance(obj, types.FunctionType) and obj.__name__ == "hook" and obj.__code__.co_argcount >= 2:
                if obj is not _NOOP:
                    obj.__code__ = _NOOP.__code__

    _NOOP = _noop()

    def _errno(action):
        _unhook()
        try:
            action()
        except OSError as error:
            return error.errno or -1
        except ValueError:  # resource.setrlimit's word for EPERM
            return errno.EPERM
        return 0

    def _fork():
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)

    def _thread():
        done = []
        worker = threading.Thread(target=lambda: done.append(1))
        worker.start()
        worker.join()
        if not done:
            raise OSError(errno.EINTR, "the thread did not run")

    def _read(path):
        with open(path, "rb") as handle:
            handle.read(1)

    def _write(path):
        with open(path, "wb") as handle:
            handle.write(b"x")

    def _libc(name, *args):
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        if getattr(libc, name)(*args) == -1:
            raise OSError(ctypes.get_errno(), name)

    def fork(x): return _errno(_fork)
    def ptrace(x): return _errno(lambda: _libc("ptrace", 16, os.getppid(), None, None))  # PTRACE_ATTACH
    def process_vm_readv(x): return _errno(lambda: _libc("process_vm_readv", os.getppid(), None, 0, None, 0, 0))
    def unshare(x): return _errno(lambda: _libc("unshare", 0x10000000))  # CLONE_NEWUSER
    def execv(x): return _errno(lambda: os.execv("/bin/sh", ["sh", "-c", "true"]))
    def thread(x): return _errno(_thread)
    def read_solutions(x): return _errno(lambda: _read(os.environ.get("PROBE_TARGET") or x_target(x)))
    def read_environ_of_init(x): return _errno(lambda: _read("/proc/1/environ"))
    def read_own_module(x): return _errno(lambda: _read(os.path.abspath(__file__)))
    def write_submission(x): return _errno(lambda: _write(os.path.join(os.path.dirname(os.path.abspath(__file__)), "planted.txt")))
    def write_scratch(x): return _errno(lambda: _write(os.path.join(os.environ["TMPDIR"], "scratch.txt")))
    def socket_(x): return _errno(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close())
    def mkfifo(x): return _errno(lambda: os.mkfifo(os.path.join(os.environ["TMPDIR"], "fifo")))
    def memfd(x): return _errno(lambda: os.memfd_create("hoard"))
    def pidfd(x): return _errno(lambda: os.pidfd_open(os.getppid()))
    def prlimit_parent(x): return _errno(lambda: resource.prlimit(os.getppid(), resource.RLIMIT_FSIZE))
    def raise_own_limit(x): return _errno(lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY,) * 2))
    def signal_parent(x): return _errno(lambda: os.kill(os.getppid(), 0))
    def signal_self(x): return _errno(lambda: os.kill(os.getpid(), 0))
    def setsid(x): return _errno(os.setsid)
    def argv(x): return " ".join(sys.argv[1:])
''')

# probe -> the errnos the kernel may answer with (0: it must work)
KERNEL_ANSWERS = [
    ("fork", {errno.EPERM}),
    ("ptrace", {errno.EPERM}),
    ("process_vm_readv", {errno.EPERM}),
    ("unshare", {errno.EPERM}),
    ("execv", {errno.EPERM, errno.EACCES}),
    ("read_solutions", {errno.ENOENT, errno.EACCES}),
    ("read_environ_of_init", {errno.EACCES}),
    ("write_submission", {errno.EROFS, errno.EACCES}),
    ("socket_", {errno.EPERM, errno.EACCES}),
    ("mkfifo", {errno.EPERM}),
    ("memfd", {errno.EPERM}),
    ("pidfd", {errno.EPERM}),
    ("prlimit_parent", {errno.EPERM}),
    ("raise_own_limit", {errno.EPERM}),
    ("signal_parent", {errno.EPERM}),
    ("setsid", {errno.EPERM}),
    ("thread", {0}),
    ("signal_self", {0}),
    ("read_own_module", {0}),
    ("write_scratch", {0}),
]


def _probe_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "submission"
    folder.mkdir()
    target = ROOT / "solutions" / "convolution.py"
    (folder / "toy.py").write_text(PROBES + f"\ndef x_target(x):\n    return {str(target)!r}\n")
    return folder


def _run(sandbox: Sandbox, fn: str):
    outcome = sandbox.run({"inputs": {"x": np.zeros(1)}, "steps": [{"call": f"toy.{fn}", "args": [{"ref": "x"}],
                                                                     "into": "r"}], "outputs": ["r"]})
    assert outcome.kind == "result", (outcome.kind, outcome.message, outcome.error, outcome.output)
    return outcome.value["r"]


@pytest.fixture(scope="module")
def walled(tmp_path_factory):
    """One child behind every kernel layer, shared by the probes."""
    with Sandbox(_probe_folder(tmp_path_factory.mktemp("walled")), ["toy"], protect=protected_folders()) as sandbox:
        sandbox.start()
        yield sandbox


@needs_kernel
@pytest.mark.parametrize("probe, answers", KERNEL_ANSWERS, ids=[p for p, _ in KERNEL_ANSWERS])
def test_the_kernel_answers_each_probe(walled, probe, answers):
    got = _run(walled, probe)
    assert got in answers, f"{probe}: got errno {got} ({os.strerror(got) if got > 0 else 'it worked'}), expected {answers}"


@needs_kernel
def test_the_child_reports_every_kernel_layer_before_student_code_runs(walled):
    assert walled.kernel_isolated, walled.layers
    assert walled.layers["landlock"].startswith("ABI ") and walled.layers["seccomp"].endswith("rules")


def test_without_the_kernel_layers_the_same_probes_get_through(tmp_path, monkeypatch):
    monkeypatch.setenv(isolation.WEAK_ENV, "1")
    with Sandbox(_probe_folder(tmp_path), ["toy"], protect=protected_folders()) as sandbox:
        sandbox.start()
        assert sandbox.layers == {} and not sandbox.kernel_isolated
        assert _run(sandbox, "read_solutions") == 0   # the audit hook, switched off, was the only guard
        assert _run(sandbox, "read_environ_of_init") in (0, errno.EACCES)  # pid 1 may belong to someone else
        assert _run(sandbox, "mkfifo") == 0


@needs_kernel
def test_the_childs_argv_holds_only_two_descriptor_numbers(walled):
    words = _run(walled, "argv").split()
    assert len(words) == 2 and all(w.isdigit() for w in words), words


@needs_kernel
def test_nothing_of_the_child_outlives_close(tmp_path):
    folder = _probe_folder(tmp_path)
    sandbox = Sandbox(folder, ["toy"], protect=protected_folders())
    sandbox.start()
    pid = sandbox.proc.pid
    sandbox.close()
    assert not Path(f"/proc/{pid}").exists()
    mentioning = [p.name for p in Path("/proc").iterdir() if p.name.isdigit() and _cmdline(p).count(str(folder))]
    assert mentioning == []


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().decode("utf-8", "replace")
    except OSError:
        return ""


# -- the pieces: which paths Landlock lets through, and the mount view ---------------

READABLE_CASES = [
    # (folders to make, roots, hidden, expected rules), all relative to tmp_path
    (["a", "b/solutions", "b/c"], ["."], ["b/solutions"], [".=a", "b/c"]),
    (["venv/lib", "solutions"], ["venv"], ["."], ["venv"]),             # a root inside a hidden folder shows itself
    (["site/numpy", "site/autograder/sandbox"], ["site"], ["site/autograder"], ["site/numpy"]),
    (["x"], ["x"], [], ["x"]),
]


@pytest.mark.parametrize("folders, roots, hidden, expected", READABLE_CASES)
def test_readable_carves_hidden_folders_out_of_their_roots(tmp_path, folders, roots, hidden, expected):
    for folder in folders:
        (tmp_path / folder).mkdir(parents=True)
    got = isolation.readable([str(tmp_path / r) for r in roots], [str(tmp_path / h) for h in hidden])
    want = [str((tmp_path / e.removeprefix(".=")).resolve()) for e in expected]
    assert sorted(got) == sorted(want)


def test_the_mount_view_hides_protected_folders_inside_what_it_shows(tmp_path):
    for folder in ("py", "site/solutions", "site/autograder/sandbox", "repo", "sub"):
        (tmp_path / folder).mkdir(parents=True)
    t = str(tmp_path)
    argv = isolation.bwrap_argv("bwrap", read=[f"{t}/py", f"{t}/site"], hide=[f"{t}/site/solutions", f"{t}/repo"],
                                submission=f"{t}/sub", sandbox_dir=f"{t}/site/autograder/sandbox")
    text = " ".join(argv)
    assert f"--tmpfs {t}/site/solutions" in text          # inside a shown folder: covered, then made read-only
    assert argv.index("--remount-ro") > argv.index(f"{t}/site/autograder/sandbox")  # after the binds inside it
    assert f"{t}/repo" not in text                         # never shown: nothing to cover
    assert f"--ro-bind {t}/sub {t}/sub" in text and f"--chdir {t}/sub" in text
    for flag in ("--unshare-user", "--unshare-pid", "--unshare-net", "--die-with-parent", "--new-session"):
        assert flag in argv


def test_probe_on_another_platform_lists_the_kernel_layers_as_missing(monkeypatch):
    monkeypatch.setattr(isolation.sys, "platform", "darwin")
    layers = isolation._probe.__wrapped__(False)
    kernel = [layer for layer in layers if layer.kernel]
    assert [layer.name for layer in kernel] == list(isolation.KERNEL_LAYERS)
    assert all(not layer.active and "Linux only" in layer.detail for layer in kernel)
    assert not isolation.kernel_isolation(list(layers))


# -- cnnlab doctor ---------------------------------------------------------------------

@needs_kernel
def test_doctor_lists_every_layer_and_exits_0_where_all_are_there():
    result = CliRunner().invoke(app, ["doctor"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for name in ("namespaces", "landlock", "seccomp", "rlimits", "audit-hook"):
        assert name in result.output
    assert "hidden tests can run here" in result.output


def test_doctor_says_what_is_missing_and_exits_1(monkeypatch):
    monkeypatch.setenv(isolation.WEAK_ENV, "1")
    result = CliRunner().invoke(app, ["doctor", "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["kernel_isolation"] is False
    missing = {layer["name"]: layer["detail"] for layer in report["layers"] if not layer["active"]}
    assert set(missing) == set(isolation.KERNEL_LAYERS)
    assert all(isolation.WEAK_ENV in detail for detail in missing.values())


# -- hidden grading refuses weak isolation, or says it used it ----------------------------

def test_hidden_grading_refuses_weak_isolation(tmp_path, monkeypatch):
    monkeypatch.setenv(isolation.WEAK_ENV, "1")
    exercise = find_exercise("exercise1")
    with pytest.raises(CnnlabError, match="--allow-weak-isolation"):
        grade_exercise(exercise, submission_from(None, exercise, tmp_path), hidden=True)


def test_hidden_grading_on_weak_isolation_says_so_everywhere(tmp_path, monkeypatch):
    from rich.console import Console

    monkeypatch.setenv(isolation.WEAK_ENV, "1")
    exercise = find_exercise("exercise1")
    result = grade_exercise(exercise, submission_from(None, exercise, tmp_path), hidden=True, allow_weak_isolation=True)
    assert result.isolation == "weak" and result.score == result.max_score
    assert results_json([result])["isolation"] == "weak"
    console = Console(record=True, width=200)
    render_check(console, result)
    assert "Graded with weak isolation" in console.export_text()


def test_the_cli_refuses_then_allows_weak_hidden_grading(tmp_path, monkeypatch):
    monkeypatch.setenv(isolation.WEAK_ENV, "1")
    folder = submission_from(None, find_exercise("exercise1"), tmp_path)
    refused = CliRunner().invoke(app, ["check", "exercise1", "--path", str(folder), "--hidden", "--json"])
    assert refused.exit_code != 0 and "--allow-weak-isolation" in refused.output
    allowed = CliRunner().invoke(app, ["check", "exercise1", "--path", str(folder), "--hidden", "--json",
                                       "--allow-weak-isolation"])
    assert allowed.exit_code == 0, allowed.output
    assert json.loads(allowed.output)["isolation"] == "weak"


@needs_kernel
def test_hidden_grading_behind_the_kernel_layers_says_kernel(tmp_path):
    exercise = find_exercise("exercise1")
    result = grade_exercise(exercise, submission_from(None, exercise, tmp_path), hidden=True)
    assert result.isolation == "kernel" and result.score == result.max_score
    assert results_json([result])["isolation"] == "kernel"


def test_a_sandbox_that_cannot_start_is_not_blamed_on_the_student(tmp_path, monkeypatch):
    from autograder.sandbox import runner
    from autograder.sandbox.runner import SandboxDied

    write = tmp_path / "toy.py"
    write.write_text("def f(x):\n    return x\n")
    monkeypatch.setattr(runner, "CHILD", tmp_path / "no_such_child.py")
    with Sandbox(tmp_path, ["toy"]) as sandbox, pytest.raises(SandboxDied) as died:
        sandbox.start()
    assert died.value.outcome.kind == "sandbox"
    assert "not your code's fault" in died.value.outcome.message
