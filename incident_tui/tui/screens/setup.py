"""First-run set-up: the school's name and its own numbers to call, checked and saved
to the config file, so nobody edits TOML to make the app safe to use."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, Static

from incident_tui.errors import UserError
from incident_tui.safe_text import printable
from incident_tui.settings import (
    NO_SCHOOL_NAME,
    School,
    contact_words,
    declared_contacts,
    local_contact_names,
    save_settings,
    with_contact,
)
from incident_tui.tui.screens.base import AppScreen
from incident_tui.tui.widgets.box_order import EnterToNextBox


class SetupScreen(EnterToNextBox, AppScreen):
    """One row per contact only the school can fill in (as the procedures declare them):
    who, their number, and an out-of-hours number where there is one."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back (nothing saved)", id="back")]

    def __init__(self) -> None:
        super().__init__()
        declared = declared_contacts(item.flow.contacts for item in self.ctx.flows.values())
        self.declared = declared
        local = set(local_contact_names(declared))
        self.names = [n for n in declared if n in local]  # the procedures' order: the DSL first

    def compose(self) -> ComposeResult:
        settings = self.ctx.settings
        yield self.mode_banner("Set up this school")
        with VerticalScroll(id="setup"):
            yield Static(
                "The school's name and its own numbers to call. Each number must look like "
                "a UK phone number (e.g. 01632 960000). Saved to the config file; "
                "`incident-tui config contact` does the same.",
                classes="hint",
                markup=False,
            )
            school = settings.school.name
            with Horizontal(classes="form-row"):
                yield Label("School name")
                yield Input("" if school == NO_SCHOOL_NAME else school, id="school")
            for name in self.names:
                yield Static(
                    printable(_capitalised(contact_words(self.declared[name])), one_line=True),
                    classes="section-title",
                    markup=False,
                )
                with Horizontal(classes="form-row"):
                    yield Label("Who")
                    yield Input(id=f"{name}-who", max_length=120)
                with Horizontal(classes="form-row"):
                    yield Label("Phone")
                    yield Input(id=f"{name}-phone", max_length=40)
                with Horizontal(classes="form-row"):
                    yield Label("Out of hours")
                    yield Input(id=f"{name}-ooh", max_length=40, placeholder="optional")
            yield Static("", id="setup-error", classes="error", markup=False)
            yield Button("Save", id="save", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#school", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # the last box: Enter moves on to Save (the others moved on at once, EnterToNextBox)
        self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.save()

    def _value(self, field: str) -> str:
        return " ".join(self.query_one(f"#{field}", Input).value.split())

    def save(self) -> None:
        error = self.query_one("#setup-error", Static)
        settings = self.ctx.settings
        try:
            if school := self._value("school"):
                settings = settings.model_copy(update={"school": School(name=school)})
            for name in self.names:
                who, phone = self._value(f"{name}-who"), self._value(f"{name}-phone")
                if who or phone:
                    people = [(who, phone)]
                    settings = with_contact(settings, name, people, self._value(f"{name}-ooh"))
            save_settings(self.ctx.paths.config_file, settings)
        except UserError as exc:
            error.update(printable(exc.message))
            error.call_after_refresh(error.scroll_visible, animate=False)
            return
        self.ctx.settings = settings
        self.notify("Saved to the config file.", markup=False)
        self.app.pop_screen()


def _capitalised(words: str) -> str:
    return words[:1].upper() + words[1:]
