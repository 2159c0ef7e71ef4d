"""Python's cycle collector held off while the app starts.

Start-up builds a few hundred thousand objects that live as long as the process
(modules, classes, pydantic schemas, styles, widgets); the collector would walk
them again and again as they pile up, a tenth of the time to the home screen. Once
the first screen is drawn they are frozen out of its way (`gc.freeze`) and
collection resumes, so later garbage is still collected as ever.

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

import gc

_paused = False


def pause_collector() -> None:
    """Hold the collector off (if it is on) until `resume_collector`."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collector(*, freeze: bool = False) -> None:
    """Undo `pause_collector` (nothing if it paused nothing); with `freeze`, what
    exists now is kept out of every later collection: start-up is over."""
    global _paused
    if _paused:
        _paused = False
        if freeze:
            gc.freeze()
        gc.enable()
