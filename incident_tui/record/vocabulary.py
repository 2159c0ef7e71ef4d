"""The words people read for what the record holds: one vocabulary for every output.

`show`, the Markdown and PDF exports and the DSL's incident screen all take
their headings, labels and flags from here (through `chronology`), so one
decision reads the same on screen, on paper and in a terminal. Internal ids
(step ids, choice ids, contact names, route ids) are for the engine and the
JSON export only: the keys in `HIDDEN_DATA` never reach what people read.

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from incident_tui.record.events import EventKind

if TYPE_CHECKING:
    from incident_tui.record.store import IndexRow

KIND_HEADINGS: dict[str, str] = {
    EventKind.opened: "Opened",
    EventKind.answer: "Answer",
    EventKind.override: "STOP OVERRIDE RECORDED",
    EventKind.escalation: "ESCALATION - immediate risk flagged",
    EventKind.refer_now: "REFER NOW",
    EventKind.amendment: "Amendment",
    EventKind.handover: "HANDED OVER",
    EventKind.takeover: "TAKEN OVER",
    EventKind.note: "Note",
    EventKind.sealed: "Sealed",
    EventKind.reviewed: "DSL review",
    EventKind.transferred: "TRANSFERRED to the pupil's next school",
    EventKind.receipt_confirmed: "Receipt of the transfer confirmed",
    EventKind.received: "TRANSFERRED IN from another school",
    EventKind.disposed: "DISPOSED OF at the end of retention",
}
"""Every kind in words: overrides and escalations are never marked by colour alone."""

STOP_SHOWN_HEADING = "STOP SHOWN"
"""A note recording that a STOP was shown (data["stop"]): the choice was refused."""
REFER_NOW_HEADING = "REFER NOW"
"""An escalation recording that the flow's refer-now route was taken (data["refer_now"])."""

DATA_LABELS: dict[str, str] = {
    "pupil": "Pupil reference",
    "other_pupils": "Other pupils named",
    "location": "Location",
    "override_label": "Exception recorded",
    "rule": "Rule",
    "conditions": "Conditions confirmed",
    "message": "Message",
    "call": "Call",
    "outcome": "Outcome",
    "actions": "Follow-up actions",
    "reason": "Reason for amendment",
    "date": "Date",
    "referred_to": "Referred to",
    "handed_to": "Handed over to",
    "taken_part": "Part taken over",
    "to_school": "Sent to",
    "from_school": "Transferred in from",
    "checkpoint": "Transfer checkpoint",
    "fingerprint": "Transfer code (read out by phone)",
    "sender_reference": "Reference at the sending school",
    "received_by": "Received by",
    "received_on": "Received on",
    "sent_by": "Sent by",
    "sent_on": "Sent on",
    "disposed_events": "Events whose content was removed (hashes kept)",
    "chain_digest": "Digest of the hashes kept",
    "opened": "Opened",
    "sealed": "Sealed",
    "retention_due": "Retention review due",
    "origin": "Transferred in from",
    "received": "Received",
    "inquiry": "Inquiry",
    "date_of_birth": "Date of birth (corrected)",
    "of_pupil": "Pupil whose date of birth it is",
}
"""Labels of the data keys the app writes; a review decision's fields are
labelled by its catalogue (see `ReviewLabels`)."""

HIDDEN_DATA = frozenset(
    {
        "reference",  # in the title
        "amends",  # in the heading
        "answer_text",  # is the answer, in words
        "review",  # the decision, in the heading
        "override",  # an exception's id: its label is shown
        "contact",  # a contact's name in the flow: the number to call is shown
        "to",  # the refer-now route's id
        "refer_now",  # in the heading
        "stop",  # the refused choice's id: the note says it in words
        "invariant",  # the broken safety rule's id: the STOP note states the rule
        "part",  # a part's role id (staff, dsl, head): its title is shown
    }
)
"""Internal ids, or data already shown elsewhere in the entry. The JSON export keeps them."""


def data_label(key: str) -> str:
    """The label of a data key; an unknown key (a newer or older record) in plain words."""
    return DATA_LABELS.get(key) or key.replace("_", " ").capitalize()


# --- flags of an incident, from its index row ------------------------------------

FLAGS: tuple[tuple[str, str, str], ...] = (
    ("stops", "STOP", "STOPs shown"),
    ("overrides", "OVR", "stop overrides"),
    ("escalations", "ESC", "escalations"),
    ("amendments", "AMD", "amendments"),
)
"""(index row attribute, short word for lists, words for counts), in order of weight.
A STOP shown (the user reached for what the rule forbids, and was stopped) is
its own flag, distinct from an override (an exception recorded with a reason)."""

DAMAGED_FLAG = "DAMAGED"
TRANSFERRED_IN_FLAG = "TRANSFERRED-IN"
"""An incident received from another school: its reference is theirs."""
HOLD_FLAG = "HOLD"
"""Under a retention hold (relevant to an inquiry): never disposed of while held."""


def row_flags(row: IndexRow, damaged: bool = False) -> str:
    """Flags in words for a list (never colour alone), a count only when more than one:
    "DAMAGED STOP OVR ESC2 AMD" = damaged, a STOP shown, a stop override, two
    escalations, an amendment; "-" for none."""
    parts = [DAMAGED_FLAG] if damaged else []
    if getattr(row, "origin", None):
        parts.append(TRANSFERRED_IN_FLAG)
    if getattr(row, "retention_hold", False):
        parts.append(HOLD_FLAG)
    for attribute, word, _words in FLAGS:
        count = getattr(row, attribute)
        if count:
            parts.append(word if count == 1 else f"{word}{count}")
    return " ".join(parts) or "-"


def is_flagged_row(row: IndexRow) -> bool:
    """Whether the index row carries any flag (damage is judged by verify)."""
    return any(getattr(row, attribute) for attribute, _word, _words in FLAGS)


def flag_counts(row: IndexRow) -> str:
    """Every flag with its count, for a summary: "STOPs shown 1, stop overrides 0, ..."."""
    return ", ".join(f"{words} {getattr(row, attribute)}" for attribute, _word, words in FLAGS)
