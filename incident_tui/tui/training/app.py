"""The app in training mode, opening on the scenario picker.

Everything else is the live app: the same step screens, the same recorder,
but the training store, and TRAINING on every screen.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from incident_tui.training.scenario import LoadedScenario
from incident_tui.tui.app import IncidentApp


class TrainingApp(IncidentApp):
    TITLE = "incident-tui training"

    def __init__(
        self, *, scenarios: dict[str, LoadedScenario] | None = None, **kwargs: Any
    ) -> None:
        kwargs["mode"] = "training"  # never the live store
        super().__init__(**kwargs)
        self.scenarios = scenarios
        """Scenarios to offer (None: the shipped ones and the school's own)."""

    store_unavailable = "The training record cannot be opened"

    def opening_screen(self) -> Screen[Any]:
        from incident_tui.tui.training.screens import ScenarioPickerScreen

        return ScenarioPickerScreen()


__all__ = ["TrainingApp"]
