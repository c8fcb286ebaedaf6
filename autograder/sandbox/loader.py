"""Run a student's module file as a module: the one way cnnlab loads student code, in the sandbox and in training.

Only the standard library is imported here: the sandbox child loads this file
from its path, without the rest of cnnlab.
"""

import importlib.util
import sys


def exec_file(path, name):
    """Execute the module file ``path`` as a module called ``name`` and return it.

    The module is in ``sys.modules`` under ``name`` while it runs (so a module
    that imports itself, or a sibling that imports it, finds it) and stays
    there. If it raises anything, SystemExit included, the name is removed
    again and the exception propagates to the caller, who decides how to
    report it.
    """
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module
