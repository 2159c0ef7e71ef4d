"""The DSL's review: the list of incidents, one incident, decisions, export.

`ReviewScreen(store, settings)` is the one entry: the home screen and
`incident-tui review` push it. It needs no particular App.
"""

from incident_tui.tui.review.context import ReviewContext
from incident_tui.tui.review.list_screen import ReviewScreen

__all__ = ["ReviewContext", "ReviewScreen"]
