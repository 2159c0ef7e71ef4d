"""The record: events, the store, verify and checkpoints. Plain Python, no Textual."""

from incident_tui.record.checkpoint import read_checkpoint, write_checkpoint
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
from incident_tui.record.verify import (
    DamageKind,
    Finding,
    VerifyReport,
    verify_events,
    verify_store,
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
    "DamageKind",
    "Finding",
    "VerifyReport",
    "load_or_create_key",
    "make_event",
    "read_checkpoint",
    "verify_events",
    "verify_store",
    "write_checkpoint",
]
