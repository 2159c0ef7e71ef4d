"""The DSL's review, on top of the record: decisions as data, the list, what needs attention.

- `catalogue`: the decisions a DSL can record (data in `review_actions.toml`),
  `append_review`, the one way they are written, and `review_labels`, their
  words for the chronology (`incident_tui.record.chronology`).
- `attention`: flags and the "needs attention" rules, from index rows.
- `listing`: filtering and sorting the list of incidents.

Plain Python: nothing here imports Textual.
"""

from incident_tui.review.attention import (
    Integrity,
    attention_reasons,
    flags_text,
    is_damaged,
    is_flagged,
    needs_attention,
)
from incident_tui.review.catalogue import (
    DSL_ROLE,
    CatalogueLabels,
    ReviewCatalogue,
    ReviewDecision,
    ReviewField,
    append_review,
    build_review,
    decision_label,
    parse_catalogue,
    review_decisions,
    review_labels,
)
from incident_tui.review.listing import SORT_KEYS, STATUSES, IncidentList, ListQuery, parse_day

__all__ = [
    "DSL_ROLE",
    "SORT_KEYS",
    "STATUSES",
    "IncidentList",
    "Integrity",
    "ListQuery",
    "CatalogueLabels",
    "ReviewCatalogue",
    "ReviewDecision",
    "ReviewField",
    "append_review",
    "attention_reasons",
    "build_review",
    "decision_label",
    "flags_text",
    "is_damaged",
    "is_flagged",
    "needs_attention",
    "parse_catalogue",
    "parse_day",
    "review_decisions",
    "review_labels",
]
