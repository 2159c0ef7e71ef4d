"""Tests that need a program from the system (tmux, pdftoppm, sshd).

Such a test skips where the program is absent, so the README's test command
passes on any machine; `.ci/run` installs the programs and exports
INCIDENT_TUI_REQUIRE_TOOLS=1, and then an absent program fails the test instead.
"""

from __future__ import annotations

import os
import shutil

import pytest


def require_tool(name: str) -> pytest.MarkDecorator:
    """A mark for a test (or `pytestmark`) that needs the program `name` on PATH."""
    missing = shutil.which(name) is None
    if missing and os.environ.get("INCIDENT_TUI_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{name} is required here (INCIDENT_TUI_REQUIRE_TOOLS=1) but not installed")
    return pytest.mark.skipif(missing, reason=f"{name} is not installed")
