"""Shared fixtures: every test module gets the TUI fixtures (temporary dirs, the toy flow)."""

pytest_plugins = ["tests.tui_helpers"]
