"""Widgets shared by the screens."""

from incident_tui.tui.widgets.banners import EscalationBanner, ModeBanner
from incident_tui.tui.widgets.decisions import DecisionsPanel
from incident_tui.tui.widgets.ticklist import TickItem, TickList

__all__ = ["DecisionsPanel", "EscalationBanner", "ModeBanner", "TickItem", "TickList"]
