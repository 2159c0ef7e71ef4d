"""The flow format: a procedure as data.

A flow file is TOML. Its shape is these pydantic models; `incident-tui flows
schema` prints them as JSON Schema for editor help. Nothing here runs code
from a flow: conditions are structured data, never expressions.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from incident_tui.settings import ContactName

StepId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=80)]
# A `next` may also be "@exit" inside a fragment: leave the fragment.
Target = Annotated[str, Field(pattern=r"^(@exit|[a-z0-9][a-z0-9._-]*)$", max_length=80)]
ItemId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
PartRole = Literal["staff", "dsl", "head"]
"""Who answers a part of a procedure: any member of staff, the DSL (or a deputy), the head."""
STAFF: PartRole = "staff"
PART_ROLES: tuple[PartRole, ...] = ("staff", "dsl", "head")


class _Strict(BaseModel):
    """Unknown keys are errors: a typo in a flow must not pass silently."""

    # defer_build: each validator is built when first used, not on import (start-up)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Rationale(StrEnum):
    none = "none"
    optional = "optional"
    required = "required"


class SourceDoc(_Strict):
    """A document the flow cites, declared once under [sources.KEY]."""

    title: str = Field(min_length=1)
    """Full title and edition, e.g. 'DfE Searching, screening and confiscation (July 2022)'."""
    url: str | None = None
    status: str | None = None
    """e.g. 'current guidance', 'statute', 'seed policy'."""


class SourceRef(_Strict):
    """Where a step's rule comes from: a declared source key and a section."""

    ref: str = Field(min_length=1)
    section: str = ""
    """Section heading or paragraph, as the document names it."""


# --- conditions: structured, never eval -----------------------------------


class Condition(_Strict):
    """A test of earlier answers.

    Exactly one form is used:
    - `{step = "consent", is = "refused"}`: the choice made at a step
    - `{step = "consent", is_not = "given"}`
    - `{step = "item", in = ["knife", "drugs"]}`: the choice is one of these
    - `{step = "found", includes = "knife"}`: a checklist item was ticked
    - `{step = "age", answered = true}`: the step was answered on this path
    - `{step = "police-called", reasoned = true}`: the answer carries a reason
    - `{step = "searcher-sex", overridden = "serious-harm-exception"}`: the answer used
      that override (the exception an interlock allows)
    - `{any = [...]}` / `{all = [...]}` / `{not = {...}}`: combinations
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    step: StepId | None = None
    is_: str | None = Field(default=None, alias="is")
    is_not: str | None = None
    in_: list[str] | None = Field(default=None, alias="in")
    includes: str | None = None
    answered: bool | None = None
    reasoned: bool | None = None
    overridden: ItemId | None = None
    any: list[Condition] | None = None
    all: list[Condition] | None = None
    not_: Condition | None = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        tests = [name for name in _TESTS if getattr(self, name) is not None]
        combos = [name for name in ("any", "all", "not_") if getattr(self, name) is not None]
        if combos:
            if tests or self.step is not None or len(combos) > 1:
                raise ValueError("use exactly one of any, all or not, with nothing beside it")
            return self
        if self.step is None:
            raise ValueError("a condition needs 'step' (or any / all / not)")
        if len(tests) != 1:
            raise ValueError(
                "a condition needs exactly one of is, is_not, in, includes, answered, "
                "reasoned, overridden"
            )
        return self

    def steps_tested(self) -> set[str]:
        found: set[str] = set()
        if self.step is not None:
            found.add(self.step)
        for sub in (self.any or []) + (self.all or []):
            found |= sub.steps_tested()
        if self.not_ is not None:
            found |= self.not_.steps_tested()
        return found


_TESTS = ("is_", "is_not", "in_", "includes", "answered", "reasoned", "overridden")


class Route(_Strict):
    """One branch of a conditional `next`: the first route whose `when` holds wins.

    The last route must have no `when`: it is the default.
    """

    when: Condition | None = None
    to: Target


Next = Target | list[Route]


# --- safety properties ----------------------------------------------------


class Escalation(_Strict):
    """Immediate risk: a banner that stays on screen, flagged in the record."""

    message: str = Field(min_length=1)
    """What is happening and what to do, e.g. 'An adult is involved: refer to police now'."""
    contact: str
    """A contact the flow declares under [contacts], e.g. 'police_emergency' or 'mash'."""


class OverrideCondition(_Strict):
    """One condition of an exception, confirmed by its id: ticked on the STOP
    screen, or named in an answers file's `confirm`."""

    id: ItemId
    """Stable and meaningful, e.g. 'serious-harm': answers files name it."""
    text: str = Field(min_length=1)
    """What the user confirms is true, in plain words."""


class Override(_Strict):
    """The one exception the guidance allows to an interlock's rule."""

    id: ItemId
    label: str = Field(min_length=1)
    """Short name shown on the button, e.g. 'Serious-harm exception'."""
    conditions: list[OverrideCondition] = Field(min_length=1)
    """Every one must be confirmed, e.g. both limbs of the same-sex exception."""
    source: SourceRef
    next: Target | None = None
    """Where the flow goes when overridden; default: the choice's own next."""

    @model_validator(mode="after")
    def _distinct_conditions(self) -> Override:
        ids = [c.id for c in self.conditions]
        if len(ids) != len(set(ids)):
            raise ValueError(f"exception '{self.id}': two conditions share an id")
        return self


class Interlock(_Strict):
    """A choice that would break a rule: the flow stops here unless overridden."""

    rule: str = Field(min_length=1)
    """The rule that would be broken, in plain words."""
    instead: str = Field(min_length=1)
    """What to do instead."""
    sources: list[SourceRef] = Field(min_length=1)
    overrides: list[Override] = []
    """Empty: a hard stop, the only way on is to choose differently."""


class Choice(_Strict):
    id: ItemId
    label: str = Field(min_length=1)
    next: Next | None = None
    """Where this choice leads; default: the step's next."""
    rationale: Rationale | None = None
    """Overrides the step's rationale setting for this choice."""
    rationale_prompt: str | None = None
    escalation: Escalation | None = None
    interlock: Interlock | None = None
    when: Condition | None = None
    """Offered only when this holds (e.g. 'search without consent' only for a prohibited item)."""
    feedback: str | None = None
    """Shown after the choice is made (e.g. what to do now)."""


class ChecklistItem(_Strict):
    id: ItemId
    label: str = Field(min_length=1)
    escalation: Escalation | None = None
    exclusive: bool = False
    """Cannot be ticked together with any other item (e.g. 'Nothing found')."""


class Action(_Strict):
    """A follow-up action at an end step, shown when its condition holds."""

    text: str = Field(min_length=1)
    when: Condition | None = None


# --- steps ----------------------------------------------------------------


class _StepBase(_Strict):
    id: StepId
    prompt: str = Field(min_length=1)
    """The instruction or question, shown large."""
    guidance: str = ""
    """Plain-language explanation shown under the prompt."""
    warning: str | None = None
    """A safety warning that must not be missed, shown in its own panel."""
    sources: list[SourceRef] = []
    to_verify: str | None = None
    """What a trust should check against the current edition of the source."""
    rationale: Rationale = Rationale.none
    rationale_prompt: str | None = None
    """The label on the rationale box, e.g. 'What are the reasonable grounds?'."""
    summary: str | None = Field(default=None, min_length=1, max_length=60)
    """The answer is repeated, under this label, in the summary at the top of the
    printed record (e.g. "What was reported", "Referral details", "Review date")."""
    when: Condition | None = None
    """Asked only when this holds. When the walk reaches a step whose `when` does not
    hold, the step is not asked (nothing is recorded for it) and the walk goes on to
    the step's own `next`; a choice step with a `when` needs a step-level `next`.
    E.g. one disposal step per kind of item, each asked only if that item was found."""
    role: PartRole | None = None
    """Who answers this step and the steps written after it, until another `role`
    ("staff", "dsl" or "head"; before any is set: "staff"). Where the walk reaches a
    step of another part, the part so far is handed over (the flow's [parts] words)."""


class ConfirmStep(_StepBase):
    """A closed-loop safety item: must be explicitly acknowledged."""

    kind: Literal["confirm"]
    confirm_label: str = "I confirm"
    next: Next


class ChoiceStep(_StepBase):
    kind: Literal["choice"]
    choices: list[Choice] = Field(min_length=1)
    next: Next | None = None
    """The default next for choices that do not say."""


class ChecklistStep(_StepBase):
    kind: Literal["checklist"]
    require: Literal["all", "any"]
    """all: every item must be ticked; any: at least one."""
    items: list[ChecklistItem] = Field(min_length=1)
    next: Next


class TextStep(_StepBase):
    kind: Literal["text"]
    max_length: int = Field(default=500, ge=1, le=4000)
    placeholder: str = ""
    hint: str | None = None
    """Shown under this text box instead of the flow's `text_hint`."""
    optional: bool = False
    format: Literal["date", "datetime"] | None = None
    """The answer is a date ("date": YYYY-MM-DD or DD/MM/YYYY) or a date and time
    ("datetime": the same, then HH:MM); recorded as YYYY-MM-DD (HH:MM)."""
    future: bool = False
    """With `format`: a date already past is refused (a review date, a deadline)."""
    next: Next

    @model_validator(mode="after")
    def _future_needs_a_format(self) -> TextStep:
        if self.future and self.format is None:
            raise ValueError('\'future\' needs format = "date" or "datetime"')
        return self


class Outcome(_Strict):
    """An end's outcome on some paths, e.g. naming the agency chosen at the referral step."""

    when: Condition
    text: str = Field(min_length=1)


class EndStep(_StepBase):
    """An outcome: the flow stops here and the incident can be sealed."""

    kind: Literal["end"]
    outcome: str = Field(min_length=1)
    """Short outcome label, e.g. 'Managed in school'."""
    outcomes: list[Outcome] = []
    """The first whose `when` holds is the outcome instead, e.g. 'Referred to the police'
    when the referral step's answer was the police."""
    actions: list[Action] = []

    @model_validator(mode="after")
    def _not_skipped(self) -> EndStep:
        if self.when is not None:
            raise ValueError("an end step cannot have a 'when': there is no next to skip to")
        return self


Step = Annotated[
    ConfirmStep | ChoiceStep | ChecklistStep | TextStep | EndStep,
    Field(discriminator="kind"),
]


class Include(_Strict):
    """Use a shared sequence (a fragment) inside this flow.

    The fragment's steps are added with ids prefixed `<id>.`; a `next` of
    `<id>` enters the fragment; the fragment's `@exit` leads to `exit`.
    """

    id: ItemId
    fragment: str
    """File name (without .toml) in the fragments folder beside the flow."""
    exit: StepId
    role: PartRole | None = None
    """Who answers the fragment's steps here (default "staff"): one fragment may be
    used in the staff part and again in the DSL's."""


class Fragment(_Strict):
    """A sequence used by more than one flow, written once (e.g. seizing a device)."""

    id: ItemId
    title: str
    version: str
    start: StepId
    sources: dict[str, SourceDoc] = {}
    steps: list[Step] = Field(min_length=1)


class ReferNow(_Strict):
    """ "Refer now" is always available: from any step, straight to the referral route.

    Taking it is recorded; the flow continues at `to`. Steps it skipped stay
    unanswered, and a condition on an unanswered step is false.
    """

    to: StepId
    label: str = Field(min_length=1)
    """Shown on the key that takes it, e.g. 'Refer now to police or children's social care'."""
    message: str | None = None
    """Said before it is taken, e.g. 'Anyone in danger: call 999 first'. Taking it is
    recorded as a refer-now, not as an escalation: the record says which agency was
    chosen at the referral step and why, and an escalation only where an answer raised one."""


class Invariant(_Strict):
    """A safety rule the whole incident keeps, whatever path, correction or refer-now
    led there; the engine refuses any answer, correction or refer-now that would
    break it, and shows `rule` as the reason.

    An incident breaks the invariant when all three hold:
    - `once` has held: evaluated over every answer ever recorded in the incident,
      including answers a correction later replaced or took off the path (a referral
      once recorded stays a fact). A test holds if any recorded answer to its step
      passes it. Without `once`, this part always holds.
    - `never` holds over the answers on the path now that were recorded, or
      corrected, after `once` first held (without `once`: over every answer on the
      path). "After" matters: a deletion requested before the police were involved
      does not block the referral itself.
    - `unless`, if given, does not hold over the answers on the path now.

    E.g. once `referral-details` is answered, `manage-decision` may not be answered
    `manage-in-school` afterwards unless `police-agree` is answered `yes`.
    """

    id: ItemId
    rule: str = Field(min_length=1)
    """The rule in plain words, shown when it would be broken."""
    sources: list[SourceRef] = Field(min_length=1)
    once: Condition | None = None
    never: Condition
    unless: Condition | None = None


class PartWords(_Strict):
    """What the screens say about one part of a procedure ([parts.ROLE]): every
    word of a hand-over is in the flow, none in the program."""

    title: str = Field(min_length=1)
    """The part's name, e.g. "The DSL's part"."""
    done: str = Field(min_length=1)
    """Said when this part ends and the next is handed over, e.g. "Your part is done.
    The DSL has been told; stay with the pupil / go back to class as the DSL says"."""
    awaiting: str | None = Field(default=None, min_length=1)
    """The heading over incidents handed to this part, e.g. "AWAITING THE DSL"
    (needed for every part but the first)."""
    take_over: str | None = Field(default=None, min_length=1)
    """What the person taking it over is asked, e.g. "Take this incident over as the
    DSL: you continue it from the hand-over" (needed for every part but the first)."""


SHORT_TITLE_LIMIT = 16
"""A short title fits the review list's procedure column at 80 columns."""


class Flow(_Strict):
    id: ItemId
    title: str = Field(min_length=1)
    short_title: str = Field(default="", max_length=SHORT_TITLE_LIMIT)
    """The procedure's name where room is short (the header of an incident, a column of
    the review list), e.g. "Search"; the title is used where there is none."""
    version: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    """One line: when to use this procedure."""
    start: StepId
    sources: dict[str, SourceDoc] = Field(min_length=1)
    includes: list[Include] = []
    refer_now: ReferNow | None = None
    contacts: dict[ContactName, Annotated[str, Field(min_length=1)]] = {}
    """Every contact this procedure names (`{contacts.NAME}` in a text, `contact = NAME`
    on an escalation), each with what is shown until the school's config file gives
    its own name and number, e.g. `police_emergency = "999"`."""
    text_hint: str = ""
    """Shown under every free-text box of this procedure (text steps and notes): what to
    write, and what never to write, e.g. 'Never describe what any image shows'."""
    invariants: list[Invariant] = []
    """Safety rules that hold on every path, corrections and refer-now included."""
    parts: dict[PartRole, PartWords] = {}
    """The words of each part (`role` on the steps): its title, what is said when it
    is done, and for a part handed to, its awaiting heading and take-over question."""
    steps: list[Step] = Field(min_length=1)
    _index: dict[str, AnyStep] = PrivateAttr(default_factory=dict)
    _roles: dict[str, PartRole] = PrivateAttr(default_factory=dict)

    def model_post_init(self, __context: object) -> None:
        self._index = {s.id: s for s in self.steps}
        role: PartRole = STAFF
        for step in self.steps:  # a role holds from its step until the next one set
            role = step.role or role
            self._roles[step.id] = role

    @property
    def has_parts(self) -> bool:
        """Whether the procedure is answered in parts by different people."""
        return bool(self.parts) or any(r != STAFF for r in self._roles.values())

    def part_of(self, step_id: str) -> PartRole:
        """Who answers a step ("staff" in a flow without parts)."""
        return self._roles.get(step_id, STAFF)

    @property
    def shown_short(self) -> str:
        """The short title, or the title where the flow gives none."""
        return self.short_title or self.title

    def step(self, step_id: str) -> AnyStep:
        """The step with this id (KeyError if none)."""
        return self._index[step_id]

    def has_step(self, step_id: str) -> bool:
        return step_id in self._index


AnyStep = ConfirmStep | ChoiceStep | ChecklistStep | TextStep | EndStep
EXIT = "@exit"
