"""incident-tui: safeguarding procedures for schools, step by step, with a tamper-evident record."""

__version__ = "0.1.0"
