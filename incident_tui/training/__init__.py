"""Training mode without the screens: scenarios, their checks, scoring, debriefs, attempts.

Nothing here imports Textual.
"""
