"""The record: events, the store, verify and checkpoints. Plain Python, no Textual."""

from incident_tui.record.events import (
    AFTER_SEAL,
    GENESIS,
    Actor,
    Event,
    EventKind,
    FlowRef,
    make_event,
)
from incident_tui.record.keys import load_or_create_key
from incident_tui.record.storage import AtomicJSONStorage, DamagedFile, StoreWriteError
from incident_tui.record.store import (
    AppendRefused,
    DamagedIncident,
    IndexRow,
    Store,
    StoreLocked,
)

__all__ = [
    "AFTER_SEAL",
    "GENESIS",
    "Actor",
    "AppendRefused",
    "AtomicJSONStorage",
    "DamagedFile",
    "DamagedIncident",
    "Event",
    "EventKind",
    "FlowRef",
    "IndexRow",
    "Store",
    "StoreLocked",
    "StoreWriteError",
    "load_or_create_key",
    "make_event",
]
