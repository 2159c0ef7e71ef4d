"""What every screen shares: the LIVE / TRAINING banner and a typed handle on the app."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from incident_tui.errors import UserError
from incident_tui.flow.engine import EngineError
from incident_tui.safe_text import printable
from incident_tui.tui.widgets.banners import ModeBanner

if TYPE_CHECKING:
    from incident_tui.incident import Incident
    from incident_tui.tui.app import IncidentApp


def report_saves(screen: Screen[Any] | ModalScreen[Any], incident: Incident) -> None:
    """Tell the user about anything that was saved but needs a word (the index lagged)."""
    for warning in incident.take_warnings():
        screen.notify(
            printable(warning),
            title="Saved; the index will catch up",
            severity="warning",
            timeout=30,
            markup=False,
        )


def not_saved(exc: UserError) -> str:
    """A write to the record that failed: say so plainly, and that nothing was lost."""
    return printable(f"NOT SAVED — {exc.message}. Nothing was lost; try again.")


def recorded(error: Static, write: Callable[[], object]) -> bool:
    """Run one write to the record; if it fails, say why in `error` and return False.

    InterlockBlocked is not caught: a caller that can meet a STOP handles it first.
    """
    try:
        write()
    except UserError as exc:
        error.update(not_saved(exc))
        return False
    except EngineError as exc:
        error.update(f"Not recorded: {exc}")
        return False
    return True


class AppScreen(Screen[Any]):
    """A full screen with the mode banner at the top."""

    @property
    def ctx(self) -> IncidentApp:
        return cast("IncidentApp", self.app)

    def mode_banner(self, detail: str = "") -> ModeBanner:
        return ModeBanner(self.ctx.mode, self.ctx.settings.school.name, detail)


class AppModal(ModalScreen[Any]):
    """A dialog over a screen; Escape closes it without doing anything."""

    BINDINGS = [("escape", "dismiss_none", "Back")]

    @property
    def ctx(self) -> IncidentApp:
        return cast("IncidentApp", self.app)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    def mode_word(self) -> str:
        return "TRAINING" if self.ctx.mode == "training" else "LIVE"
