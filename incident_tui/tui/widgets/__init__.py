"""Widgets shared by the screens.

The names below are loaded when first asked for: importing one widget module (the
home screen's banner, say) does not import every other (the step screens' decisions
panel and tick list, with the engine they bring), which the first screen never shows.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from incident_tui.tui.widgets.banners import EscalationBanner, ModeBanner
    from incident_tui.tui.widgets.decisions import DecisionsPanel
    from incident_tui.tui.widgets.ticklist import TickItem, TickList

_HOMES = {
    "DecisionsPanel": "decisions",
    "EscalationBanner": "banners",
    "ModeBanner": "banners",
    "TickItem": "ticklist",
    "TickList": "ticklist",
}

__all__ = ["DecisionsPanel", "EscalationBanner", "ModeBanner", "TickItem", "TickList"]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
