"""incident-tui: safeguarding procedures for schools, step by step, with a tamper-evident record."""

import os

__version__ = "0.1.0"

# No pydantic plugins are used here: without this, pydantic reads the entry points of
# every installed package the first time it builds a model (about 10 ms of each start).
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
