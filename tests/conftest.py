"""Shared fixtures: every test module gets the TUI fixtures (temporary dirs, the toy flow)
and the review fixtures (a record with one incident of each kind)."""

pytest_plugins = ["tests.tui_helpers", "tests.review_fixtures"]
