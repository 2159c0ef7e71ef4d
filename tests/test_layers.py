"""The flow and record layers stand on their own: no Textual, no TinyDB in the flow layer.

Each check runs in a fresh interpreter, because this test process has long
since imported everything.
"""

from __future__ import annotations

import subprocess
import sys

FLOW_ONLY = """
import sys
import incident_tui.flow.loader, incident_tui.flow.linter, incident_tui.flow.model
assert 'textual' not in sys.modules, 'textual imported'
assert 'tinydb' not in sys.modules, 'tinydb imported'
"""

EVERY_MODULE = """
import importlib, pkgutil, sys
import incident_tui.flow, incident_tui.record

def every_module(package):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):
        importlib.import_module(info.name)
        yield info.name

flow = list(every_module(incident_tui.flow))
assert 'incident_tui.flow.loader' in flow and 'incident_tui.flow.linter' in flow, flow
assert 'tinydb' not in sys.modules, 'the flow package imported tinydb'
record = list(every_module(incident_tui.record))
assert 'textual' not in sys.modules, 'textual imported by ' + repr(flow + record)
print(len(flow) + len(record))
"""


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_the_flow_loader_linter_and_model_import_without_textual_or_tinydb() -> None:
    result = run(FLOW_ONLY)
    assert result.returncode == 0, result.stderr


def test_no_module_of_the_flow_or_record_packages_imports_textual() -> None:
    result = run(EVERY_MODULE)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 4  # model, locate, loader, linter at least
