"""A small flow that exercises every engine feature, independent of the shipped flows."""

from __future__ import annotations

import tomllib

from incident_tui.flow.model import Flow

TOY_FLOW = """
id = "toy-search"
title = "Toy search"
version = "1.0.0"
summary = "A small search procedure used by the engine tests."
start = "safety"

[sources.SSC]
title = "Searching, screening and confiscation"

[[steps]]
id = "safety"
kind = "confirm"
prompt = "Do not search beyond outer clothing."
sources = [{ref = "SSC", section = "Extent of the search"}]
next = "item"

[[steps]]
id = "item"
kind = "choice"
prompt = "What is suspected?"
[[steps.choices]]
id = "knife"
label = "A knife or weapon"
next = "grounds"
escalation = {message = "Weapon suspected: make others safe", contact = "police_emergency"}
[[steps.choices]]
id = "vape"
label = "A vape (school rule)"
next = "grounds"

[[steps]]
id = "grounds"
kind = "text"
prompt = "What are the grounds?"
rationale = "none"
next = "consent"

[[steps]]
id = "consent"
kind = "choice"
prompt = "Does the pupil consent?"
rationale = "optional"
[[steps.choices]]
id = "yes"
label = "Yes"
next = "staff"
[[steps.choices]]
id = "no-force"
label = "No: search without consent"
rationale = "required"
when = {step = "item", is = "knife"}
next = "staff"
[[steps.choices]]
id = "no"
label = "No"
next = "sanction"

[[steps]]
id = "staff"
kind = "choice"
prompt = "Same-sex searcher and witness available?"
[[steps.choices]]
id = "yes"
label = "Yes, both"
next = "found"
[[steps.choices]]
id = "no"
label = "No"
next = "found"
[steps.choices.interlock]
rule = "A searcher of the pupil's sex and a witness are required"
instead = "Supervise the pupil and wait for suitable staff"
sources = [{ref = "SSC", section = "Who can search"}]
[[steps.choices.interlock.overrides]]
id = "serious-harm"
label = "Serious-harm exception"
conditions = [
  {id = "serious-harm", text = "Serious harm if not searched at once"},
  {id = "no-other-staff", text = "No other staff can be summoned"},
]
source = {ref = "SSC", section = "Who can search"}
[[steps.choices]]
id = "wait"
label = "Wait for suitable staff"
next = "staff"

[[steps]]
id = "found"
kind = "checklist"
require = "any"
prompt = "What was found?"
next = [{when = {step = "found", includes = "knife"}, to = "police"}, {to = "done"}]
[[steps.items]]
id = "nothing"
label = "Nothing"
exclusive = true
[[steps.items]]
id = "knife"
label = "A knife"
escalation = {message = "Weapon found: call the police", contact = "police_emergency"}
[[steps.items]]
id = "vape"
label = "A vape"

[[steps]]
id = "police"
kind = "end"
prompt = "Hand the weapon to the police."
outcome = "Weapon handed to police"
[[steps.actions]]
text = "Never return the knife"
when = {step = "found", includes = "knife"}
[[steps.actions]]
text = "Tell the parents"

[[steps]]
id = "done"
kind = "end"
prompt = "Search complete."
outcome = "Handled in school"
[[steps.actions]]
text = "Return or dispose of the vape under the behaviour policy"
when = {step = "found", includes = "vape"}

[[steps]]
id = "sanction"
kind = "end"
prompt = "No search: apply the behaviour policy."
outcome = "No search"

[contacts]
police_emergency = "999"
"""


def toy_flow() -> Flow:
    return Flow.model_validate(tomllib.loads(TOY_FLOW))
