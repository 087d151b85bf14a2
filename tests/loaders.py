"""Import files that are not in a package (Ansible modules, filter plugins) for unit tests."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_file_module(relative: str):
    """Import a module that is not in a package (Ansible modules, filter plugins)."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module
