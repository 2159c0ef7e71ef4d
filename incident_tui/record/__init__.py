"""The record: events, the store, verify and checkpoints. Plain Python, no Textual.

Names are loaded on first use, so that importing this package (or only its
events) does not import TinyDB and the store.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOMES = {
    "AFTER_SEAL": "events",
    "GENESIS": "events",
    "Actor": "events",
    "Event": "events",
    "EventKind": "events",
    "FlowRef": "events",
    "make_event": "events",
    "Mode": "access",
    "open_record": "access",
    "record_exists": "access",
    "incident_damage": "verify",
    "load_key": "keys",
    "load_or_create_key": "keys",
    "AtomicJSONStorage": "storage",
    "DamagedFile": "storage",
    "StoreWriteError": "storage",
    "AppendRefused": "store",
    "DamagedIncident": "store",
    "IndexRow": "store",
    "Store": "store",
    "IncidentInUse": "locks",
    "DamageKind": "verify",
    "Finding": "verify",
    "VerifyReport": "verify",
    "verify_events": "verify",
    "verify_store": "verify",
    "read_checkpoint": "checkpoint",
    "write_checkpoint": "checkpoint",
}

__all__ = [
    "AFTER_SEAL",
    "Actor",
    "AppendRefused",
    "AtomicJSONStorage",
    "DamageKind",
    "DamagedFile",
    "DamagedIncident",
    "Event",
    "EventKind",
    "Finding",
    "FlowRef",
    "GENESIS",
    "IndexRow",
    "Mode",
    "Store",
    "IncidentInUse",
    "StoreWriteError",
    "VerifyReport",
    "incident_damage",
    "load_key",
    "load_or_create_key",
    "make_event",
    "open_record",
    "read_checkpoint",
    "record_exists",
    "verify_events",
    "verify_store",
    "write_checkpoint",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from incident_tui.record.access import Mode, open_record, record_exists
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
    from incident_tui.record.keys import load_key, load_or_create_key
    from incident_tui.record.locks import IncidentInUse
    from incident_tui.record.storage import AtomicJSONStorage, DamagedFile, StoreWriteError
    from incident_tui.record.store import (
        AppendRefused,
        DamagedIncident,
        IndexRow,
        Store,
    )
    from incident_tui.record.verify import (
        DamageKind,
        Finding,
        VerifyReport,
        incident_damage,
        verify_events,
        verify_store,
    )
