"""The app in training mode, opening on the scenario picker.

Everything else is the live app: the same step screens, the same recorder,
but the training store, and TRAINING on every screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import events

from incident_tui.training.scenario import LoadedScenario
from incident_tui.tui.app import IncidentApp


class TrainingApp(IncidentApp):
    CSS_PATH = str(Path(__file__).resolve().parent.parent / "app.tcss")
    TITLE = "incident-tui training"

    def __init__(
        self, *, scenarios: dict[str, LoadedScenario] | None = None, **kwargs: Any
    ) -> None:
        kwargs["mode"] = "training"  # never the live store
        super().__init__(**kwargs)
        self.scenarios = scenarios
        """Scenarios to offer (None: the shipped ones and the school's own)."""

    # Textual calls every class's on_mount; this one takes the event to stop the live app's.
    def on_mount(self, event: events.Mount) -> None:  # type: ignore[override]
        # The live app opens on the home screen; training opens on the picker instead.
        event.prevent_default()
        if self._wanted_theme:
            self.theme = self._wanted_theme
        self.open_store()
        from incident_tui.tui.screens.message import MessageScreen
        from incident_tui.tui.training.screens import ScenarioPickerScreen

        if self.store is None:
            self.push_screen(
                MessageScreen("The training record cannot be opened", self.store_problem or "")
            )
        else:
            self.push_screen(ScenarioPickerScreen())


__all__ = ["TrainingApp"]
