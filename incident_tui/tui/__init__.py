"""The Textual app: a thin shell over the engine and the record."""
