"""The sandbox child: imports a student's modules and runs programs against them.

Started by :mod:`autograder.sandbox.runner` as ``python -I child.py REQ_FD RES_FD``
(inside ``bwrap``'s namespaces where the machine offers them). Its
configuration is the first frame on the request pipe, never its argv, so no
other process can read it. It reads requests from one private pipe and writes
results to another, so nothing a student prints can be mistaken for a result.
Before the student's code is imported it:

- caps memory, CPU time and file size with ``resource`` limits;
- puts up the kernel layers the grader asks for
  (:mod:`autograder.sandbox.isolation`: Landlock, seccomp) and reports in its
  first frame which of them stand, before any student code can write to the pipe;
- removes cnnlab's own folders from ``sys.path`` and refuses to import
  ``solutions``, ``autograder`` or ``tests`` (a meta-path finder);
- adds an audit hook that refuses to read cnnlab's own files, to write or
  delete any file, to start or signal processes, to open sockets and to use
  ctypes. The hook gives a student a friendly message; it is not the wall
  (a native call gets past it), the kernel layers are.

The grade does not rest on the child either way: the grader computes every
reference and every comparison itself and reads back only plain arrays
(:mod:`autograder.sandbox.wire`).
"""

import importlib.abc
import importlib.util
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))


def _load_sibling(name):
    spec = importlib.util.spec_from_file_location(f"_cnnlab_{name}", os.path.join(HERE, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _limit(config):
    try:
        import resource
    except ImportError:  # Windows: the parent's clock and the audit hook remain
        return

    mib = 1024 * 1024
    for name, value in (("RLIMIT_AS", config["memory_mb"] * mib), ("RLIMIT_CPU", config["cpu_seconds"]),
                        ("RLIMIT_FSIZE", 8 * mib), ("RLIMIT_CORE", 0), ("RLIMIT_NPROC", config["max_processes"]),
                        ("RLIMIT_NOFILE", 256)):  # pipes hold kernel memory the address-space limit does not count
        if hasattr(resource, name):
            try:
                resource.setrlimit(getattr(resource, name), (value, value))
            except (ValueError, OSError):
                pass  # a limit the platform will not lower; the audit hook and the parent's clock remain


class _Refuse(importlib.abc.MetaPathFinder):
    def __init__(self, names):
        self.names = frozenset(names)

    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition(".")[0] in self.names:
            raise ImportError(f"cnnlab's grader does not let a submission import '{fullname}'")
        return None


_PROCESS_EVENTS = frozenset({
    "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "os.startfile",
    "subprocess.Popen", "pty.spawn", "os.kill", "os.killpg",
})
_FS_EVENTS = frozenset({
    "os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.link", "os.symlink",
    "os.truncate", "os.utime", "shutil.rmtree", "shutil.move", "shutil.copyfile", "os.chdir",
})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _make_hook(roots):
    roots = tuple(os.path.realpath(r) + os.sep for r in roots)
    process_events, fs_events, write_flags = _PROCESS_EVENTS, _FS_EVENTS, _WRITE_FLAGS

    def hook(event, args, roots=roots):
        if event == "open":
            path, mode, flags = args
            if isinstance(path, int):
                return
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & write_flags)
            if writing and str(path) != os.devnull:
                raise PermissionError(f"cnnlab's grader does not let a submission write files ({path})")
            real = os.path.realpath(os.fsdecode(path))
            if any(real.startswith(root) or real + os.sep == root for root in roots):
                raise PermissionError(f"cnnlab's grader does not let a submission read {path}")
        elif event in process_events:
            raise PermissionError(f"cnnlab's grader does not let a submission start or signal processes ({event})")
        elif event in fs_events:
            raise PermissionError(f"cnnlab's grader does not let a submission change files ({event})")
        elif event.startswith(("ctypes.", "socket.")):
            raise PermissionError(f"cnnlab's grader does not let a submission use {event.split('.')[0]}")

    return hook


def _guard(config):
    scrub = {os.path.realpath(p) for p in config["scrub_paths"]}
    sys.path[:] = [p for p in sys.path if p and os.path.realpath(p) not in scrub]
    sys.meta_path.insert(0, _Refuse(config["refuse_imports"]))
    for name in list(sys.modules):
        if name.partition(".")[0] in config["refuse_imports"]:
            del sys.modules[name]
    sys.addaudithook(_make_hook(config["forbidden_roots"]))


def _student_frames(tb, folder):
    frames = [f for f in traceback.extract_tb(tb) if os.path.isabs(f.filename) and os.path.realpath(f.filename).startswith(folder + os.sep)]
    return [{"file": os.path.basename(f.filename), "line": f.lineno, "function": f.name, "code": f.line or ""}
            for f in frames][-8:]


def _describe(error, folder):
    message = ""
    try:
        message = str(error)[:2000]
    except Exception:
        pass
    line = getattr(error, "lineno", None) if isinstance(error, SyntaxError) else None
    return {"type": type(error).__name__, "message": message, "line": line,
            "frames": _student_frames(error.__traceback__, folder)}


def _load_students(config, loader):
    folder = os.path.realpath(config["submission"])
    report, modules = {}, {}
    sys.path.insert(0, folder)
    for name in config["modules"]:
        path = os.path.join(folder, f"{name}.py")
        if not os.path.isfile(path):
            report[name] = {"ok": False, "missing": True}
            continue
        try:
            module = loader.exec_file(path, name)
        except BaseException as error:  # SystemExit and KeyboardInterrupt at import count too
            report[name] = {"ok": False, "error": _describe(error, folder)}
            continue
        modules[name] = module
        report[name] = {"ok": True, "names": sorted(n for n in vars(module) if callable(getattr(module, n, None)))}
    return folder, modules, report


def _read_config(wire, req_fd):
    size = int.from_bytes(wire.read_exact(req_fd, wire.LENGTH), "big")
    config, _ = wire.parse_frame(wire.read_exact(req_fd, size))
    return config


def main():
    req_fd, res_fd = int(sys.argv[1]), int(sys.argv[2])
    wire = _load_sibling("wire")
    program = _load_sibling("program")
    loader = _load_sibling("loader")  # before the guard, which refuses reads of cnnlab's files
    isolation = _load_sibling("isolation")
    config = _read_config(wire, req_fd)
    import numpy as np  # noqa: F401  imported before the walls go up, as every submission needs it
    import numpy.lib.stride_tricks  # noqa: F401
    import numpy.linalg  # noqa: F401
    import numpy.random  # noqa: F401

    def send(header, buffers=None):
        wire.send_frame(res_fd, wire.dump_frame(header, buffers or []))

    _limit(config)
    send({"kind": "armed", "layers": isolation.apply_in_child(config)})
    _guard(config)
    folder, modules, report = _load_students(config, loader)
    send({"kind": "hello", "modules": report})
    while True:
        try:
            size = int.from_bytes(wire.read_exact(req_fd, wire.LENGTH), "big")
            header, buffers = wire.parse_frame(wire.read_exact(req_fd, size))
        except EOFError:
            return
        request = {"inputs": wire.decode(header["inputs"], buffers), "steps": header["steps"],
                   "outputs": header["outputs"]}
        try:
            values = program.run_program(request, modules)
        except program.StepError as error:
            send({"kind": "error", "id": header["id"], "step": error.index, "where": error.where,
                  "error": _describe(error.__cause__, folder)})
            continue
        except BaseException as error:  # a submission that raises SystemExit and the like
            send({"kind": "error", "id": header["id"], "step": -1, "where": "",
                  "error": _describe(error, folder)})
            continue
        try:
            out = []
            tree = wire.encode(values, out)
            size = sum(len(b) for b in out)
            if size > config["max_result_mb"] * 1024 * 1024:
                raise MemoryError(f"the result is {size / 2**20:.0f} MiB, more than the "
                                  f"{config['max_result_mb']} MiB the grader reads back")
        except MemoryError as error:
            send({"kind": "error", "id": header["id"], "step": -1, "where": "sending the result",
                  "error": _describe(error, folder)})
            continue
        send({"kind": "result", "id": header["id"], "value": tree}, out)


if __name__ == "__main__":
    main()
