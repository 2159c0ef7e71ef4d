"""Flows: the procedures as data (schema, loader, linter) and the engine that walks them.

Nothing in this package imports Textual or TinyDB.
"""
