"""Help: the keys, and how an incident is recorded (or how the review works)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from incident_tui.tui.screens.base import AppScreen

HELP_TEXT = """\
KEYS
  1-9            choose an answer, or tick a checklist item
  Up/Down, Enter choose with the arrows, then Enter
  Space          tick or untick the highlighted checklist item
  Tab            move to the next box or button
  F2             the decisions so far: pick one and Enter to correct it
  F3             back to the current step
  Ctrl+R         refer now: straight to the referral steps (where the
                 procedure has them); recorded, and never undone
  Ctrl+N         add a short factual note to the record (also after
                 the seal)
  Esc            back one screen (never back in the record)
  Ctrl+P         command palette: new incident, resume, help, themes
  F1 or ?        this help
  Ctrl+Q         quit (an unfinished incident stays open)

HOW THE RECORD WORKS
  Every answer is saved before the next step appears. If saving fails,
  the screen says NOT SAVED and stays on the same step: nothing is lost.
  A correction is recorded as an amendment with your reason; the
  original answer stays in the record. A note is added with the time
  and your name, and is never changed afterwards.
  Closing the terminal leaves the incident open: resume it from the
  home screen at exactly the step you reached.

SAFETY
  STOP means a choice would break a rule: the panel says which rule and
  what to do instead. ESCALATION means immediate risk: the banner stays
  at the top with the number to call.
  The record holds only what is typed here: no file, picture or video
  can be attached to it. Each procedure says under its text boxes what
  to write there and what never to write.

COLOURS
  Nothing depends on colour alone. For a 16-colour terminal choose the
  ansi-dark or ansi-light theme (Ctrl+P, then "theme"); NO_COLOR is
  respected.
"""

REVIEW_HELP_TEXT = """\
KEYS: THE LIST OF INCIDENTS
  Up/Down, Enter open the highlighted incident
  /              find: type part of a reference, pupil, staff name
  f              flagged only: STOP shown, OVR override, ESC escalation,
                 AMD amended, DAMAGED
  a              incidents that need attention, and why
  s, r           sort by the next column; reverse the order
  p              only the highlighted incident's pupil (again: every pupil)
  g              group by pupil (each pupil's incidents together)
  c              the highlighted pupil's file: every incident naming them
  Ctrl+R         read the record again
  Tab            move between the filters and the list

KEYS: ONE INCIDENT
  d              add a review decision (a new event: nothing is changed)
  x              export it: PDF, Markdown or JSON
  p              correct the pupils named (an amendment, with your reason)
  c              the pupil's file: every incident naming them
  Esc            back to the list

KEYS: A PUPIL'S FILE
  Enter          open the incident of the highlighted line
  x              export the chronology, or the subject access copy
  Esc            back

ANYWHERE
  Ctrl+P         command palette: help, themes
  F1 or ?        this help
  Ctrl+Q         quit (asks first; every decision recorded is saved)

HOW THE REVIEW WORKS
  The review only reads the record. A decision is appended after the
  events it reviews, with your name and the time, and is never changed.
  Each incident is checked against the hash rule and the signed index:
  a damaged incident says so at the top and opens read-only, and its
  export states the damage on its first page.
"""


class HelpScreen(AppScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="help-back")]

    def __init__(self, text: str = HELP_TEXT) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield self.mode_banner("Help")
        with VerticalScroll(id="help"):
            yield Static(self.text, markup=False)
        yield Footer()
