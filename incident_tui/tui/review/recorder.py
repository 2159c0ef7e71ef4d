"""Who a review form records as: the one compose block and read-back for it.

On a school server the signed-in person, shown and never typed; on one computer
the name and role typed on the form (offered again from the last decision)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from incident_tui.record.events import Actor
from incident_tui.review import DSL_ROLE
from incident_tui.safe_text import printable
from incident_tui.tui.review.context import ReviewContext


def compose_recorder(ctx: ReviewContext, actor: Actor | None = None) -> ComposeResult:
    """ "Recorded as NAME (role, login)" for a signed-in person, else the name and role
    boxes (#actor-name, #actor-role), filled from `actor` (default: the last one)."""
    person = ctx.person
    if person is not None:
        signed_in = person.actor()
        yield Static(
            printable(f"Recorded as {signed_in.name} ({signed_in.role}, {person.login})"),
            id="signed-in",
            markup=False,
        )
        return
    actor = actor if actor is not None else ctx.actor
    yield Label("Your name (required)", markup=False)
    yield Input(actor.name if actor else "", id="actor-name", compact=True)
    yield Label("Your role", markup=False)
    yield Input(actor.role if actor else DSL_ROLE, id="actor-role", compact=True)


def recorder(screen: Screen[Any], ctx: ReviewContext, what: str) -> Actor | str:
    """Who the form records as, or why not, in words (`what`: "took each decision")."""
    if ctx.person is not None:
        return ctx.person.actor()
    name = screen.query_one("#actor-name", Input).value.strip()
    role = screen.query_one("#actor-role", Input).value.strip() or DSL_ROLE
    if not name:
        return f"Your name: required (the record says who {what})."
    try:
        return Actor(name=name, role=role)
    except ValueError:
        return "Your name and role must each be under 120 characters."
