"""Home: start a new incident, resume an unfinished one, or go to review and training."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from incident_tui.errors import UserError
from incident_tui.permissions import Can, allowed
from incident_tui.safe_text import printable
from incident_tui.settings import LocalNumbers, declared_contacts, local_numbers
from incident_tui.tui.present import last_answer_text, when_text
from incident_tui.tui.screens.base import AppScreen
from incident_tui.tui.widgets.banners import ModeBanner
from incident_tui.tui.widgets.footer import SteadyFooter

if TYPE_CHECKING:
    from incident_tui.record.store import IndexRow

SET_HERE = "Press s to set them here, or use `incident-tui config contact`."
"""How the home screen's warning says the numbers are set."""

SWITCH_TO_TRAINING = "switch-to-training"
"""What the live app returns when the user asks for training."""


class HomeScreen(AppScreen):
    AUTO_FOCUS = "#flows, #open-incidents"
    """A list has the focus from the first, never the scrolling pane around them:
    focusing the pane and then a list restyles the whole screen twice. (Not the list
    awaiting this person, most often hidden: `on_mount` focuses it when it is shown.)"""

    BINDINGS = [
        Binding("n", "new", "New", id="new"),
        Binding("r", "resume", "Resume", id="resume"),
        Binding("a", "awaiting", "Awaiting", id="awaiting", show=False),
        Binding("v", "review", "Review (DSL)", id="review"),
        Binding("t", "training", "Training", id="training"),
        # not in the footer (it would push Help off at 80 columns): the warning names it
        Binding("s", "setup", "Set up", id="setup", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield self.mode_banner()
        person = self.ctx.person
        with VerticalScroll(id="home"):
            if person is not None:
                actor = person.actor()
                yield Static(
                    printable(f"Signed in: {actor.name} ({actor.role}, {person.login})"),
                    id="signed-in",
                    markup=False,
                )
            # handed over and awaiting this person's part: first, above everything
            yield Static("", id="awaiting-title", classes="section-title", markup=False)
            yield OptionList(id="awaiting-incidents")
            yield Static("", id="local-numbers", classes="error", markup=False)
            if allowed(person, Can.start):
                yield Static("Start a new incident  (n)", classes="section-title", markup=False)
                yield OptionList(id="flows")
                yield Static("", id="flow-problems", classes="error", markup=False)
            title = "Resume an unfinished incident  (r)"
            if not allowed(person, Can.read_all):
                title = "Resume one of your unfinished incidents  (r)"
            yield Static(title, classes="section-title", markup=False)
            yield OptionList(id="open-incidents")
            yield Static("", id="home-error", classes="error", markup=False)
            # one line at the foot of the screen: in view at 80x24 whatever is above
            with Horizontal(id="home-buttons"):
                if allowed(person, Can.review):
                    yield Button("Review", id="review", compact=True)
                if allowed(person, Can.training):
                    yield Button("Training", id="training", compact=True)
                yield Button("Help (F1)", id="help", compact=True)
        yield SteadyFooter()

    listed_on_mount = False
    """The lists were filled on mount: the ScreenResume that follows the first push
    need not read the record again."""

    def on_mount(self) -> None:
        self.refresh_lists()
        self.listed_on_mount = True
        shown = [o for o in self.query(OptionList) if o.display]
        if shown:
            shown[0].focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys for what the signed-in person may not do are not offered."""
        person = self.ctx.person
        needs = {
            "new": Can.start,
            "review": Can.review,
            "training": Can.training,
            "setup": Can.settings,
        }
        if action in needs and not allowed(person, needs[action]):
            return None
        return True

    def on_screen_resume(self) -> None:
        self.ctx.leave_incident()  # back home: the incident can be continued elsewhere
        if self.listed_on_mount:
            self.listed_on_mount = False
            return
        self.refresh_lists()

    def local_numbers(self) -> LocalNumbers:
        declared = declared_contacts(item.flow.contacts for item in self.ctx.flows.values())
        return local_numbers(self.ctx.settings, declared)

    def refresh_lists(self) -> None:
        numbers = self.local_numbers()
        warning = self.query_one("#local-numbers", Static)
        how = SET_HERE if allowed(self.ctx.person, Can.settings) else ""
        warning.update("" if numbers.ready else numbers.warning(how=how))
        self.query_one(ModeBanner).show_school(self.ctx.settings.school.name)
        warning.display = not numbers.ready
        unfinished = self._unfinished_rows()
        self._refresh_awaiting(unfinished)
        self._refresh_open(unfinished)
        if not self.query("#flows"):
            return
        flows = self.query_one("#flows", OptionList)
        flows.clear_options()
        loaded = self.ctx.flows
        problems = self.ctx.flow_problems
        notice = ""
        if problems:
            notice = "Not offered: these procedure files have problems " + (
                "(whoever looks after them can run `incident-tui flows check`):\n"
            )
            notice += "\n".join(printable(str(p), one_line=True) for p in problems)
        shown = self.query_one("#flow-problems", Static)
        shown.update(notice)
        shown.display = bool(notice)  # no blank line when every file is good
        for number, (flow_id, item) in enumerate(sorted(loaded.items()), start=1):
            text = Text()
            text.append(f"{number}. {item.flow.title}", style="bold")
            text.append(f"\n   {item.flow.summary}")
            flows.add_option(Option(text, id=flow_id))
        if loaded:
            flows.highlighted = 0

    def _unfinished_rows(self) -> list[IndexRow]:
        """The open incidents this person may see: the index read once for both lists,
        and only these rows checked for whose they are."""
        store = self.ctx.store
        if store is None:
            return []
        return self.ctx.visible_rows([row for row in store.rows() if row.status == "open"])

    def _refresh_awaiting(self, unfinished: list[IndexRow]) -> None:
        """AWAITING THE DSL (the flow's words): incidents handed over to a part this
        person may take over, who handed each over and when; Enter takes it over."""
        from incident_tui.permissions import awaiting_for

        listed = self.query_one("#awaiting-incidents", OptionList)
        title = self.query_one("#awaiting-title", Static)
        listed.clear_options()
        rows = awaiting_for(self.ctx.person, unfinished)
        if self.ctx.mode != "live":
            rows = []
        flows = self.ctx.flows if self.ctx._flows is not None else {}
        headings: list[str] = []
        for row in rows:
            flow = flows[row.flow_id].flow if row.flow_id in flows else None
            part = row.awaiting or ""
            words = flow.parts.get(part) if flow else None  # type: ignore[call-overload]
            heading = words.awaiting if words and words.awaiting else f"AWAITING: {part}"
            if heading not in headings:
                headings.append(heading)
            name = flow.title if flow else row.flow_id
            pupil = f" · pupil {row.pupil}" if row.pupil else ""
            handed = when_text(row.handed_at) if row.handed_at else "-"
            label = (
                f"{row.reference} · {name}{pupil}\n   handed over by {row.handed_by or '-'}, "
                f"{handed}"
            )
            listed.add_option(Option(Text(printable(label)), id=row.reference))
        title.update(printable(" / ".join(headings) + "  (a: take it over)", one_line=True))
        title.display = listed.display = bool(rows)
        if rows:
            listed.highlighted = 0

    def _refresh_open(self, unfinished: list[IndexRow]) -> None:
        from incident_tui.permissions import may_take_over

        incidents = self.query_one("#open-incidents", OptionList)
        incidents.clear_options()
        store = self.ctx.store
        # an incident transferred in from another school is reviewed here, never resumed
        rows = [r for r in unfinished if not r.origin]
        if self.ctx.mode == "live":  # those awaiting this person are listed above
            person = self.ctx.person
            rows = [r for r in rows if not (r.awaiting and may_take_over(person, r.awaiting))]
        flows = self.ctx.flows if self.ctx._flows is not None else {}
        for row in reversed(rows):
            flow = flows[row.flow_id].flow if row.flow_id in flows else None
            title = flow.title if flow else row.flow_id
            pupil = f" · pupil {printable(row.pupil, one_line=True)}" if row.pupil else ""
            when = when_text(row.last_time)
            stopped = last_answer_text(flow, row.last_step, self.ctx.settings)
            reference = printable(row.reference, one_line=True)
            label = f"{reference} · {title}{pupil}\n   {stopped}, {when}"
            holder = store.holder(row.id) if store else None
            if holder is not None:
                label += f" · open by {holder.who()}"
            if row.awaiting:
                label += " · handed over" + (", awaiting the DSL" if row.awaiting == "dsl" else "")
            incidents.add_option(Option(Text(printable(label)), id=row.reference))
        if not rows:
            incidents.add_option(Option("No unfinished incidents", disabled=True))
        else:
            incidents.highlighted = 0

    # --- choosing -------------------------------------------------------------------

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        from incident_tui.tui.screens.identity import IdentityScreen

        if event.option.id is None:
            return
        if event.option_list.id == "flows":
            flow_id = event.option.id
            if self.ctx.mode == "live" and not self.local_numbers().ready:
                self._start_without_local_numbers(flow_id)
            else:
                self.app.push_screen(IdentityScreen(flow_id=flow_id))
        elif event.option_list.id == "awaiting-incidents":
            if not self._open_elsewhere(event.option.id):
                from incident_tui.tui.screens.handover import TakeOverScreen

                self.app.push_screen(TakeOverScreen(event.option.id))
        elif (
            event.option_list.id == "open-incidents"
            and not self._open_elsewhere(event.option.id)
            and not self._offer_a_note(event.option.id)
        ):
            self.app.push_screen(IdentityScreen(resume=event.option.id))

    def _offer_a_note(self, reference: str) -> bool:
        """An incident whose part this person handed over is continued by the DSL now:
        say so, and offer to add a note to its record instead (what they noticed or were
        told since). False when the person may continue it, as before."""
        from incident_tui.permissions import may_add_note, may_continue_row, owner_of
        from incident_tui.tui.screens.dialogs import Confirm

        store, person = self.ctx.store, self.ctx.person
        try:
            row = store.row(reference) if store else None
        except UserError:
            return False  # the identity screen says what is wrong
        if store is None or row is None or person is None:
            return False
        owner = owner_of(store, row)
        if may_continue_row(person, owner, row) or not may_add_note(person, owner):
            return False
        shown = printable(row.reference, one_line=True)
        handed = f" at {when_text(row.handed_at)}" if row.handed_at else ""

        def answered(note: bool | None) -> None:
            if note:
                self._add_note(row.reference)

        dialog = Confirm(
            f"You handed incident {shown} over{handed}; the DSL continues it from there. "
            "You can still add a note to its record: something you noticed or were told "
            "since, as facts.",
            title=f"Your part of incident {shown} is done",
            stay="Back (Esc)",
            go="Add a note (y)",
        )
        self.app.push_screen(dialog, answered)
        return True

    def _add_note(self, reference: str) -> None:
        from incident_tui.incident import Incident
        from incident_tui.tui.screens.dialogs import ask_for_note

        store = self.ctx.store
        assert store is not None
        error = self.query_one("#home-error", Static)
        try:
            row = store.row(reference)
            loaded = self.ctx.flows.get(row.flow_id)
            if loaded is None:
                raise UserError(
                    f"incident {row.reference} uses the procedure '{row.flow_id}', which is "
                    f"not installed here; add the note with `incident-tui note {row.reference} "
                    '"TEXT"`'
                )
            incident = Incident.for_notes(
                store, loaded, row.reference, self.ctx.settings, self.ctx.actor()
            )
        except UserError as exc:
            error.update(printable(exc.message))
            return
        error.update("")
        ask_for_note(self, incident, self.refresh_lists)

    def _open_elsewhere(self, reference: str) -> bool:
        """If another session is continuing the incident, say who and offer to read it."""
        from incident_tui.tui.review import ReviewContext
        from incident_tui.tui.review.incident_screen import IncidentReviewScreen
        from incident_tui.tui.screens.dialogs import Confirm

        store = self.ctx.store
        try:
            row = store.row(reference) if store else None
        except UserError:
            return False  # the identity screen says what is wrong
        holder = store.holder(row.id) if store and row else None
        if store is None or row is None or holder is None:
            return False

        def answered(read: bool | None) -> None:
            if read:
                self.app.push_screen(
                    IncidentReviewScreen(
                        ReviewContext(store, self.ctx.settings, person=self.ctx.person), row.id
                    )
                )

        shown = printable(row.reference, one_line=True)
        dialog = Confirm(
            f"{holder.who()} has had incident {shown} open since {holder.when()}. Only one "
            "person can continue an incident at a time: it stays as they leave it, and "
            "you can read it now.",
            title=f"Incident {shown} is open in another session",
            stay="Back (Esc)",
            go="Read it (y)",
        )
        self.app.push_screen(dialog, answered)
        return True

    def _start_without_local_numbers(self, flow_id: str) -> None:
        from incident_tui.tui.screens.dialogs import Confirm
        from incident_tui.tui.screens.identity import IdentityScreen

        def answered(start: bool | None) -> None:
            if start:
                self.app.push_screen(IdentityScreen(flow_id=flow_id))

        dialog = Confirm(
            self.local_numbers().warning(),
            title="This school's own numbers to call are not set",
            stay="Do not start (Esc)",
            go="Start anyway: no local numbers (y)",
        )
        self.app.push_screen(dialog, answered)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "review":
            self.action_review()
        elif event.button.id == "training":
            self.action_training()
        elif event.button.id == "help":
            self.ctx.action_help()

    def action_setup(self) -> None:
        if not allowed(self.ctx.person, Can.settings):
            return  # the key is not offered
        from incident_tui.tui.screens.setup import SetupScreen

        self.app.push_screen(SetupScreen())

    def action_new(self) -> None:
        if self.query("#flows"):
            self.query_one("#flows", OptionList).focus()

    def action_resume(self) -> None:
        self.query_one("#open-incidents", OptionList).focus()

    def action_awaiting(self) -> None:
        listed = self.query_one("#awaiting-incidents", OptionList)
        if listed.display:
            listed.focus()

    def action_review(self) -> None:
        if not allowed(self.ctx.person, Can.review):
            return  # the key and the button are not offered
        from incident_tui.flow.available import short_titles
        from incident_tui.record.access import open_record
        from incident_tui.tui.review import ReviewScreen

        ctx = self.ctx
        try:
            store = ctx.store or open_record(ctx.paths, ctx.mode)
        except UserError as exc:
            self.query_one("#home-error", Static).update(f"Review cannot open: {exc.message}")
            return
        names = short_titles(ctx.flows)
        self.app.push_screen(ReviewScreen(store, ctx.settings, person=ctx.person, procedures=names))

    def action_training(self) -> None:
        if not allowed(self.ctx.person, Can.training):
            return
        if self.ctx.mode == "training":
            from incident_tui.tui.training.screens import ScenarioPickerScreen

            self.app.push_screen(ScenarioPickerScreen())
        else:
            # Training runs in its own app over the training store: the live
            # record is closed first, so the two can never mix.
            self.app.exit(result=SWITCH_TO_TRAINING)
