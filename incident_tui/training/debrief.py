"""The debrief: score, each key decision against the expected one, what mattered most, time.

`Debrief.markdown()` is what the trainee keeps for their training record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from incident_tui.errors import UserError
from incident_tui.files import write_private_file
from incident_tui.safe_text import printable
from incident_tui.training.scenario import Scenario
from incident_tui.training.scoring import Grade, Judgement

BANNER = "TRAINING — practice only, not a real record"

CORRECTIONS_NOTE = (
    "A correction is a learning point: in a live incident the first answer stays in the "
    "record beside the correction, so check each answer before it is recorded."
)


@dataclass(frozen=True)
class Correction:
    """An answer the trainee corrected: the question, both answers and the reason given."""

    prompt: str
    was: str
    now: str
    reason: str

    def text(self) -> str:
        return (
            f"{printable(self.prompt, one_line=True)}: first answered "
            f'"{printable(self.was, one_line=True)}", corrected to '
            f'"{printable(self.now, one_line=True)}" (reason given: '
            f"{printable(self.reason, one_line=True)})"
        )


def minutes_between(start: str, end: str | None) -> int | None:
    if not end:
        return None
    try:
        a = datetime.fromisoformat(start.replace("Z", "+00:00"))
        b = datetime.fromisoformat(end.replace("Z", "+00:00"))
    except ValueError:
        return None
    return max(0, round((b - a).total_seconds() / 60))


@dataclass(frozen=True)
class Debrief:
    scenario: Scenario
    grade: Grade
    trainee: str
    reference: str
    started: str
    finished: str | None
    outcome: str | None = None
    """The end the trainee reached."""
    flow_title: str = ""
    corrections: tuple[Correction, ...] = ()
    """Each answer the trainee corrected, in the order the corrections were made."""

    def minutes(self) -> int | None:
        return minutes_between(self.started, self.finished)

    def time_text(self) -> str:
        minutes = self.minutes()
        if minutes is None:
            return "not finished"
        if minutes < 1:
            return "under a minute"
        return f"{minutes} minute" + ("" if minutes == 1 else "s")

    def score_text(self) -> str:
        verdict = "passed" if self.grade.passed else "not yet passed"
        return (
            f"{self.grade.score} of {self.grade.max_score} ({self.grade.percent}%): {verdict} "
            f"(pass mark {self.grade.pass_percent}%)"
        )

    def path_text(self) -> str:
        ideal = self.grade.ideal_steps
        if ideal is None:
            return f"{self.grade.decisions} decisions"
        if self.grade.slow_path:
            return f"{self.grade.decisions} decisions (a sound path takes {ideal}): a slower path"
        return f"{self.grade.decisions} decisions (a sound path takes {ideal})"

    def mattered_most(self) -> list[Judgement]:
        return self.grade.mattered_most()

    def markdown(self) -> str:
        lines = [
            f"# Training debrief: {self.scenario.title}",
            "",
            f"**{BANNER}**",
            "",
            f"- Trainee: {self.trainee}",
            f"- Scenario: {self.scenario.title} (`{self.scenario.id}`)",
        ]
        if self.flow_title:
            lines.append(f"- Procedure: {self.flow_title}")
        lines += [
            f"- Training record: {self.reference}",
            f"- Started: {self.started}",
            f"- Time taken: {self.time_text()}",
            f"- Score: {self.score_text()}",
            f"- Path: {self.path_text()}",
        ]
        if self.outcome:
            lines.append(f"- Outcome reached: {self.outcome}")
        lines += ["", "## What mattered most", ""]
        missed = self.mattered_most()
        if not missed:
            lines.append("Every key decision was the expected one.")
        for judgement in missed:
            lines.append(
                f"- **{judgement.prompt}** ({judgement.kind}, weight {judgement.weight}): "
                f"expected {judgement.expected}; {judgement.status.value}"
                + (f" ({judgement.given})" if judgement.status.value == "wrong" else "")
                + "."
            )
        if self.corrections:
            lines += ["", "## Corrections you made", "", CORRECTIONS_NOTE, ""]
            lines += [f"- {correction.text()}" for correction in self.corrections]
        lines += ["", "## Each key decision", ""]
        for n, judgement in enumerate(self.grade.judgements, 1):
            mark = "Right" if judgement.right else judgement.status.value.capitalize()
            lines += [
                f"### {n}. {judgement.prompt}",
                "",
                f"- Result: **{mark}** ({judgement.points} of {judgement.weight})",
                f"- Expected: {judgement.expected}",
                f"- Your answer: {judgement.given}",
            ]
            if judgement.mistake:
                lines.append(f"- About that choice: {judgement.mistake}")
            lines += [f"- Why: {judgement.why}", f"- Source: {judgement.source}", ""]
        return "\n".join(lines).rstrip() + "\n"

    def write(self, path: Path) -> Path:
        """Write the Markdown debrief, readable by its owner only."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise UserError(f"{path}: cannot write the debrief: {exc.strerror or exc}") from None
        write_private_file(path, self.markdown(), replace=True, what="the debrief")
        return path


__all__ = ["BANNER", "CORRECTIONS_NOTE", "Correction", "Debrief"]
