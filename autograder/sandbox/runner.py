"""Start, feed, time and kill the sandbox child (the grader's side of the sandbox).

:class:`Sandbox` keeps one child alive across the tests of a check, so a check
pays for one interpreter start; a test that times out, crashes or garbles its
answer kills that child, and the next test gets a fresh one.

Where the kernel offers them (:mod:`autograder.sandbox.isolation`), the child
starts inside ``bwrap``'s namespaces and puts up Landlock and seccomp before
any student code runs; it reports which layers it put up in its first frame,
before the student's modules are imported, so that report cannot be forged.
Its configuration travels over the request pipe, never in its argv.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.sandbox import isolation, wire

CHILD = Path(__file__).with_name("child.py")
STARTUP_SECONDS = 30.0  # for Python, NumPy and the kernel layers to come up, before any student code runs


@dataclass(frozen=True)
class Limits:
    """What a submission may use. Defaults suit the exercises with room to spare."""

    timeout: float = 5.0          # wall-clock seconds per test (and for importing the modules)
    memory_mb: int = 1024         # address space of the child
    max_result_mb: int = 64       # largest answer the grader reads back
    max_processes: int = 64       # RLIMIT_NPROC; root ignores it, so the audit hook refuses fork too
    cpu_seconds: int = 120        # a backstop in case the grader itself dies


@dataclass
class Outcome:
    """What came back for one program.

    ``kind`` is ``"result"`` (``value`` holds the decoded outputs), ``"error"``
    (the student's code raised: ``error`` describes it) or one of the ways the
    child can fail: ``"timeout"``, ``"crash"``, ``"exit"``, ``"garbled"``, ``"too-big"``, ``"hung-up"``
    (it closed its answer pipe but stayed alive), or
    ``"sandbox"`` when the sandbox itself failed before any student code ran.
    """

    kind: str
    value: dict = field(default_factory=dict)
    error: dict = field(default_factory=dict)
    message: str = ""
    output: str = ""
    seconds: float = 0.0


HANG_UP_SECONDS = 1.0  # how long a child whose answer pipe closed may take to exit before it is stopped


class SandboxDied(Exception):
    """The child ended or misbehaved; ``outcome`` says how."""

    def __init__(self, outcome: Outcome):
        super().__init__(outcome.message)
        self.outcome = outcome


SIGNAL_NAMES = {signal.SIGSEGV: "SIGSEGV, a segmentation fault", signal.SIGKILL: "SIGKILL",
                signal.SIGABRT: "SIGABRT", signal.SIGBUS: "SIGBUS", signal.SIGFPE: "SIGFPE",
                signal.SIGXCPU: "SIGXCPU, the CPU-time limit"}


class Sandbox:
    """One child process running a student's modules.

    Parameters
    ----------
    submission : Path
        Folder holding the student's module files.
    modules : sequence of str
        Module stems to import there (``convolution``).
    limits : Limits
    protect : sequence of Path
        Folders whose files the submission must not read (the grader's, the reference's).
    hide : sequence of Path
        Folders taken off the child's ``sys.path`` (where the grader's packages are importable from).
    kernel : bool
        Put up the kernel layers this machine gives (False: only rlimits and the audit hook).

    Attributes
    ----------
    layers : dict
        The layers the last child put up, name -> detail ('' for one that failed), as it
        reported them before any student code ran.
    """

    def __init__(self, submission: Path, modules, limits: Limits = Limits(), *, protect=(), hide=(),
                 kernel: bool = True):
        self.submission, self.modules, self.limits = Path(submission), list(modules), limits
        self.protect, self.hide = [str(p) for p in protect], [str(p) for p in hide]
        self.kernel = kernel
        self.layers: dict = {}
        self.proc: subprocess.Popen | None = None
        self._scratch: str | None = None
        self._status_r: int | None = None
        self._inner_pid: int | None = None
        self._next_id = 0

    @property
    def kernel_isolated(self) -> bool:
        """True when the child put up every kernel layer (namespaces, Landlock, seccomp)."""
        return all(self.layers.get(name) for name in isolation.KERNEL_LAYERS)

    # -- life cycle -------------------------------------------------------
    def start(self) -> dict:
        """Start the child and return its report on importing each module.

        Raises
        ------
        SandboxDied
            If the child dies or hangs while importing the student's modules.
        """
        req_r, self._req_w = os.pipe()
        self._res_r, res_w = os.pipe()
        self._log = tempfile.TemporaryFile()
        given = {layer.name for layer in isolation.probe() if layer.active} if self.kernel else set()
        status_r, status_w = os.pipe() if "namespaces" in given else (None, None)
        command, scratch = self._command(given, req_r, res_w, status_w)
        config = {
            "submission": str(self.submission), "modules": self.modules,
            "memory_mb": self.limits.memory_mb,
            "cpu_seconds": self.limits.cpu_seconds, "max_processes": self.limits.max_processes,
            "max_result_mb": self.limits.max_result_mb,
            "forbidden_roots": self.protect, "scrub_paths": self.hide,
            "refuse_imports": ["solutions", "autograder", "tests"],
            "namespaces": "namespaces" in given, "landlock": "landlock" in given, "seccomp": "seccomp" in given,
            "read": self._readable(), "write": [scratch],
            "libraries": isolation.libraries() if given else {},
        }
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "TMPDIR": scratch,
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
        self.proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            pass_fds=tuple(fd for fd in (req_r, res_w, status_w) if fd is not None), env=env,
            cwd=str(self.submission), start_new_session=True,
        )
        os.close(req_r)
        os.close(res_w)
        self._status_r = status_r
        if status_w is not None:
            os.close(status_w)
        self._log_seen = 0
        started = time.monotonic()
        try:
            wire.send_frame(self._req_w, wire.dump_frame(config, []))
        except BrokenPipeError:
            raise SandboxDied(self._fail("exit", "ended before it could start", started)) from None
        # No student code runs before "armed": Python's start and the walls get their own, roomier clock.
        try:
            armed, _ = self._receive(max(self.limits.timeout, STARTUP_SECONDS), started, during="while starting")
        except SandboxDied as died:  # no student code has run yet: the sandbox itself failed
            died.outcome.kind = "sandbox"
            died.outcome.message = ("could not be run: the grader's sandbox failed to start before your modules "
                                    "were imported (not your code's fault; `cnnlab doctor` checks the sandbox)")
            raise
        if armed.get("kind") != "armed" or not isinstance(armed.get("layers"), dict):
            raise SandboxDied(self._fail("garbled", "sent something other than its report on isolation"))
        self.layers = {str(k): str(v)[:300] for k, v in armed["layers"].items()}
        self._inner_pid = self._bwrap_child_pid()
        started = time.monotonic()
        header, _ = self._receive(self.limits.timeout, started, during="while importing your modules")
        if header.get("kind") != "hello" or not isinstance(header.get("modules"), dict):
            raise SandboxDied(self._fail("garbled", "sent something other than its import report"))
        return header["modules"]

    def close(self) -> None:
        """Kill the child and everything it started, and release the pipes."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        self._reap_inner()
        for fd in (self._req_w, self._res_r, self._status_r):
            try:
                if fd is not None:
                    os.close(fd)
            except OSError:
                pass
        self._log.close()
        self.proc = None
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def _bwrap_child_pid(self) -> int | None:
        """The child's process id outside its namespace, as bwrap reported it on its status pipe."""
        if self._status_r is None:
            return None
        os.set_blocking(self._status_r, False)
        try:
            first = os.read(self._status_r, 4096).split(b"\n", 1)[0]
            return int(json.loads(first)["child-pid"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _reap_inner(self) -> None:
        """Kill the process inside bwrap's namespaces and wait until it is gone.

        It runs in a session of its own, so killing bwrap's process group misses it:
        bwrap's --die-with-parent ends it soon after, this makes that certain and
        immediate, so nothing of a check is still running when ``close`` returns.
        """
        pid, self._inner_pid = getattr(self, "_inner_pid", None), None
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            return
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            try:
                with open(f"/proc/{pid}/stat", "rb") as handle:
                    if handle.read().rsplit(b")", 1)[-1].split()[0] in (b"Z", b"X"):
                        return  # dead; its new parent reaps it
            except OSError:
                return
            time.sleep(0.002)

    def _command(self, given: set, req_fd: int, res_fd: int, status_fd: int | None) -> tuple[list[str], str]:
        """The command that starts the child (inside ``bwrap`` when namespaces are given) and its scratch folder."""
        child = [sys.executable, "-I", "-B", "-u", str(CHILD), str(req_fd), str(res_fd)]
        if "namespaces" in given:
            bwrap = isolation.bwrap_argv(isolation.bwrap_path(), status_fd=status_fd, read=isolation.python_dirs(),
                                         hide=[*self.protect, *self.hide], submission=str(self.submission),
                                         sandbox_dir=str(CHILD.parent))
            return bwrap + child, "/tmp"
        self._scratch = tempfile.mkdtemp(prefix="cnnlab-scratch-")
        return child, self._scratch

    def _readable(self) -> list[str]:
        """What Landlock lets the child read: Python and its packages minus cnnlab's, the child's code, the submission."""
        system = [p for p in (*isolation.SYSTEM_DIRS, *isolation.SYSTEM_FILES, *isolation.DEVICES)
                  if os.path.exists(p) and not os.path.islink(p)]
        hidden = [*self.protect, *self.hide]
        return [*isolation.readable([*system, *isolation.python_dirs()], hidden), str(CHILD.parent), str(self.submission)]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- running ----------------------------------------------------------
    def run(self, program: dict) -> Outcome:
        """Send ``program`` to the child and wait for its answer within the time limit.

        Never raises for anything the child does: a child that dies, hangs or
        answers nonsense is killed and reported as an :class:`Outcome`.
        """
        if self.proc is None:
            try:
                self.start()
            except SandboxDied as died:
                return died.outcome
        self._next_id += 1
        buffers: list[bytes] = []
        inputs = wire.encode(program["inputs"], buffers)
        frame = wire.dump_frame({"id": self._next_id, "inputs": inputs, "steps": program["steps"],
                                 "outputs": program["outputs"]}, buffers)
        started = time.monotonic()
        try:
            wire.send_frame(self._req_w, frame)
            header, buffers_in = self._receive(self.limits.timeout, started, during="")
        except BrokenPipeError:
            return self._fail("exit", "", started)
        except SandboxDied as died:
            return died.outcome
        seconds = time.monotonic() - started
        if header.get("id") != self._next_id or header.get("kind") not in ("result", "error"):
            return self._fail("garbled", "answered out of turn", started)
        if header["kind"] == "error":
            error = header.get("error") if isinstance(header.get("error"), dict) else {}
            return Outcome("error", error={**error, "where": str(header.get("where", ""))},
                           output=self._new_output(), seconds=seconds)
        try:
            value = wire.decode(header.get("value"), buffers_in)
        except (wire.WireError, RecursionError) as error:
            return self._fail("garbled", f"sent back something that is not plain data ({error})", started)
        if not isinstance(value, dict):
            return self._fail("garbled", "sent back something that is not plain data", started)
        return Outcome("result", value=value, output=self._new_output(), seconds=seconds)

    # -- plumbing ---------------------------------------------------------
    def _receive(self, timeout: float, started: float, during: str):
        size = int.from_bytes(self._read(wire.LENGTH, timeout, started, during), "big")
        cap = self.limits.max_result_mb * 1024 * 1024
        if size > cap:
            raise SandboxDied(self._fail(
                "too-big", f"returned {size / 2**20:.0f} MiB of data, more than the {self.limits.max_result_mb} MiB "
                           "the grader reads back", started))
        try:
            return wire.parse_frame(self._read(size, timeout, started, during))
        except wire.WireError as error:
            raise SandboxDied(self._fail("garbled", f"sent back something unreadable ({error})", started)) from None

    def _read(self, n: int, timeout: float, started: float, during: str) -> bytes:
        chunks, left = [], n
        with selectors.DefaultSelector() as sel:
            sel.register(self._res_r, selectors.EVENT_READ)
            while left:
                remaining = started + timeout - time.monotonic()
                if remaining <= 0 or not sel.select(remaining):
                    raise SandboxDied(self._fail("timeout", f"timed out after {timeout:g} s {during}".strip(), started))
                chunk = os.read(self._res_r, min(left, 1 << 20))
                if not chunk:
                    raise SandboxDied(self._ended(started, during))
                chunks.append(chunk)
                left -= len(chunk)
        return b"".join(chunks)

    def _ended(self, started: float, during: str) -> Outcome:
        try:
            code = self.proc.wait(timeout=HANG_UP_SECONDS)
        except subprocess.TimeoutExpired:  # the answer pipe closed, the process lives on: never wait for it
            return self._fail("hung-up", "closed the pipe it answers the grader on but kept running "
                                         "(the grader stopped it)", started)
        if self.layers.get("namespaces") and code > 128:
            code = 128 - code  # bwrap passes on a child's death by signal N as exit code 128 + N
        where = f" {during}" if during else " during the test"
        if code < 0:
            name = SIGNAL_NAMES.get(-code, signal.Signals(-code).name if -code in signal.valid_signals() else "?")
            return self._fail("crash", f"crashed with signal {-code} ({name}){where}", started)
        return self._fail("exit", f"exited{where} with exit code {code} (sys.exit or os._exit in your code?)", started)

    def _fail(self, kind: str, message: str, started: float | None = None) -> Outcome:
        output = self._new_output()
        seconds = time.monotonic() - started if started else 0.0
        self.close()
        return Outcome(kind, message=message, output=output, seconds=seconds)

    def _new_output(self) -> str:
        """What the student's code printed since the last look (the last 2,000 characters)."""
        try:
            self._log.seek(self._log_seen)
            data = self._log.read()
        except (ValueError, OSError):
            return ""
        self._log_seen += len(data)
        text = data.decode("utf-8", "replace")
        return text if len(text) <= 2000 else "...\n" + text[-2000:]
