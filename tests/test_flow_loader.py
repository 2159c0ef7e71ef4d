"""Loading flow files: resolved fragments, and `FILE:LINE` for every problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_tui.errors import UserError
from incident_tui.flow import loader
from incident_tui.flow.available import available_flows, get_flow
from incident_tui.flow.loader import FlowFileError, Problem, load_flow

FIXTURES = Path(__file__).parent / "fixtures" / "flows"

HEAD = """\
id = "tiny"
title = "Tiny"
version = "1"
summary = "A tiny flow."
start = "ask"

[sources.kcsie]
title = "Keeping children safe in education"
"""


def write(tmp_path: Path, body: str, name: str = "tiny.toml") -> Path:
    path = tmp_path / name
    path.write_text(HEAD + body, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(FlowFileError) as info:
        load_flow(path)
    return [str(p) for p in info.value.problems]


def test_a_toml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, '\n[[steps]]\nid = "ask"\nkind = "end\n')
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:12: not valid TOML: ")


def test_a_missing_field_names_the_step_the_choice_and_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[[steps]]
id = "ask"
kind = "choice"
prompt = "Consent?"

[[steps.choices]]
id = "given"
label = "Yes"
next = "end"

[[steps.choices]]
id = "refused"
label = "No"
next = { to = "end" }

[[steps]]
id = "end"
kind = "end"
prompt = "Done"
outcome = "Done"
""",
    )
    assert problems_of(path) == [
        f"{path}:23: step 'ask', choice 'refused': next: should be a step id or a list of routes"
    ]


def test_every_schema_error_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[[steps]]
id = "ask"
kind = "confirm"
prompt = "Do not view the imagery"

[[steps]]
id = "end"
kind = "end"
prompt = "Done"
outcom = "Done"
""",
    )
    assert problems_of(path) == [
        f"{path}:10: step 'ask': next: field required",
        f"{path}:15: step 'end': outcome: field required",
        f"{path}:19: step 'end': outcom: unknown key (is it misspelt?)",
    ]


def test_an_unknown_step_kind_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, '\n[[steps]]\nid = "ask"\nkind = "question"\nprompt = "?"\n')
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:10: step 'ask': input tag 'question' found using 'kind'")


def test_a_bad_condition_points_at_the_route(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[[steps]]
id = "ask"
kind = "text"
prompt = "Who was there?"

[[steps.next]]
when = { step = "ask" }
to = "end"

[[steps.next]]
to = "end"
""",
    )
    assert problems_of(path) == [
        f"{path}:16: step 'ask', route 1: when: a condition needs exactly one of "
        "is, is_not, in, includes, answered, reasoned, overridden"
    ]


def test_a_missing_file_is_a_clear_problem(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "nope.toml") == [f"{tmp_path / 'nope.toml'}:0: no such file"]


def test_an_empty_file_is_a_clear_problem(tmp_path: Path) -> None:
    path = tmp_path / "empty.toml"
    path.write_text("\n  \n", encoding="utf-8")
    assert problems_of(path) == [f"{path}:1: the file is empty"]


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(HEAD.encode() + 'title2 = "caf\xe9"\n'.encode("latin-1"))
    assert problems_of(path) == [f"{path}:9: not UTF-8 text (save the file as UTF-8)"]


def test_a_flow_file_error_is_a_user_error_with_one_line_per_problem(tmp_path: Path) -> None:
    error = FlowFileError([Problem(Path("a.toml"), 3, "x"), Problem(Path("b.toml"), 4, "y")])
    assert isinstance(error, UserError)
    assert error.message == "a.toml:3: x\nb.toml:4: y"


def test_a_fragment_is_included_with_prefixed_ids_and_its_exit_rewired() -> None:
    loaded = load_flow(FIXTURES / "good.toml")
    flow = loaded.flow
    assert [s.id for s in flow.steps] == ["consent", "done", "device.off", "device.bag"]
    # a next naming the include enters the fragment at its start
    assert flow.step("consent").choices[1].next == "device.off"
    assert flow.step("device.off").next == "device.bag"
    # @exit leads to the include's exit; conditions test the prefixed step
    routes = flow.step("device.bag").next
    assert [r.to for r in routes] == ["done", "done"]
    assert routes[0].when.step == "device.off"
    assert flow.step("device.bag").when.step == "device.off"
    # the fragment's sources are merged into the flow's
    assert sorted(flow.sources) == ["kcsie", "sscg"]
    # a fragment step is found in the fragment file, at its own line
    assert loaded.file_of("device.bag") == FIXTURES / "fragments" / "secure.toml"
    assert loaded.line_of("device.bag") == 19
    assert loaded.line_of("consent", "choices", 1, "next") == 24
    assert loaded.file_of("consent") == FIXTURES / "good.toml"


def test_the_same_fragment_can_be_included_twice(tmp_path: Path) -> None:
    (tmp_path / "fragments").mkdir()
    (tmp_path / "fragments" / "secure.toml").write_text(
        (FIXTURES / "fragments" / "secure.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    path = write(
        tmp_path,
        """
[[includes]]
id = "phone"
fragment = "secure"
exit = "laptop"

[[includes]]
id = "laptop"
fragment = "secure"
exit = "end"

[[steps]]
id = "ask"
kind = "confirm"
prompt = "Secure both devices"
next = "phone"

[[steps]]
id = "end"
kind = "end"
prompt = "Done"
outcome = "Done"
""",
    )
    flow = load_flow(path).flow
    assert [s.id for s in flow.steps][2:] == ["phone.off", "phone.bag", "laptop.off", "laptop.bag"]
    assert flow.step("ask").next == "phone.off"
    assert [r.to for r in flow.step("phone.bag").next] == ["laptop.off", "laptop.off"]
    assert [r.to for r in flow.step("laptop.bag").next] == ["end", "end"]


def test_a_missing_fragment_is_named_at_the_include(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[[includes]]
id = "device"
fragment = "nowhere"
exit = "ask"

[[steps]]
id = "ask"
kind = "end"
prompt = "Done"
outcome = "Done"
""",
    )
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:12: include 'device': no fragment 'nowhere' (looked for ")


def test_a_fragment_source_that_clashes_is_reported_in_the_fragment(tmp_path: Path) -> None:
    (tmp_path / "fragments").mkdir()
    frag = tmp_path / "fragments" / "clash.toml"
    frag.write_text(
        'id = "clash"\ntitle = "C"\nversion = "1"\nstart = "a"\n\n'
        '[sources.kcsie]\ntitle = "Another document"\n\n'
        '[[steps]]\nid = "a"\nkind = "confirm"\nprompt = "P"\nnext = "@exit"\n',
        encoding="utf-8",
    )
    path = write(
        tmp_path,
        '\n[[includes]]\nid = "c"\nfragment = "clash"\nexit = "ask"\n\n'
        '[[steps]]\nid = "ask"\nkind = "end"\nprompt = "Done"\noutcome = "Done"\n',
    )
    assert problems_of(path) == [
        f"{frag}:6: source 'kcsie' differs from the one declared in {path}"
    ]


def test_a_schema_error_in_a_fragment_names_the_fragment_file(tmp_path: Path) -> None:
    (tmp_path / "fragments").mkdir()
    frag = tmp_path / "fragments" / "bad.toml"
    frag.write_text(
        'id = "bad"\ntitle = "B"\nversion = "1"\nstart = "a"\n\n'
        '[[steps]]\nid = "a"\nkind = "confirm"\nprompt = "P"\n',
        encoding="utf-8",
    )
    path = write(
        tmp_path,
        '\n[[includes]]\nid = "b"\nfragment = "bad"\nexit = "ask"\n\n'
        '[[steps]]\nid = "ask"\nkind = "end"\nprompt = "Done"\noutcome = "Done"\n',
    )
    assert problems_of(path) == [f"{frag}:6: step 'a': next: field required"]


def test_the_content_hash_is_of_the_canonical_resolved_flow() -> None:
    loaded = load_flow(FIXTURES / "good.toml")
    import hashlib

    dumped = loaded.flow.model_dump(mode="json", by_alias=True)
    # a flow without parts hashes as it did before parts existed: no empty `parts`,
    # no unset `role` on its steps and includes
    assert dumped.pop("parts") == {}
    for entry in [*dumped["steps"], *dumped["includes"]]:
        assert entry.pop("role") is None
    canonical = json.dumps(dumped, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert loaded.content_hash == hashlib.sha256(canonical.encode()).hexdigest()
    # a change to an included fragment changes the flow's hash
    assert "device.bag" in canonical


def test_a_change_in_a_fragment_changes_the_flow_hash(tmp_path: Path) -> None:
    (tmp_path / "fragments").mkdir()
    frag_text = (FIXTURES / "fragments" / "secure.toml").read_text(encoding="utf-8")
    (tmp_path / "fragments" / "secure.toml").write_text(frag_text, encoding="utf-8")
    flow_path = tmp_path / "good.toml"
    flow_path.write_text((FIXTURES / "good.toml").read_text(encoding="utf-8"), encoding="utf-8")
    before = load_flow(flow_path).content_hash
    assert before == load_flow(FIXTURES / "good.toml").content_hash
    (tmp_path / "fragments" / "secure.toml").write_text(
        frag_text.replace("Bag and lock it away", "Bag it"), encoding="utf-8"
    )
    assert load_flow(flow_path).content_hash != before


def test_flow_paths_are_shipped_then_local_and_skip_fragments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = tmp_path / "shipped"
    (shipped / "fragments").mkdir(parents=True)
    (shipped / "scenarios").mkdir()
    (shipped / "a.toml").write_text("", encoding="utf-8")
    (shipped / "fragments" / "f.toml").write_text("", encoding="utf-8")
    (shipped / "scenarios" / "s.toml").write_text("", encoding="utf-8")
    monkeypatch.setattr(loader, "shipped_flows_dir", lambda: shipped)
    local = tmp_path / "config" / "flows"
    local.mkdir(parents=True)
    (local / "local.toml").write_text("", encoding="utf-8")
    assert loader.flow_paths(local_dir=local) == [shipped / "a.toml", local / "local.toml"]


def test_a_local_flow_overrides_a_shipped_flow_with_the_same_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = tmp_path / "shipped"
    local = tmp_path / "config" / "flows"
    for folder, title in ((shipped, "Shipped"), (local, "Our own")):
        (folder / "fragments").mkdir(parents=True)
        (folder / "fragments" / "secure.toml").write_text(
            (FIXTURES / "fragments" / "secure.toml").read_text(encoding="utf-8"), encoding="utf-8"
        )
        (folder / "good.toml").write_text(
            (FIXTURES / "good.toml")
            .read_text(encoding="utf-8")
            .replace('title = "A good flow"', f'title = "{title}"'),
            encoding="utf-8",
        )
    monkeypatch.setattr(loader, "shipped_flows_dir", lambda: shipped)
    flows = available_flows(local).flows
    assert flows["good"].flow.title == "Our own"
    assert get_flow("good", local_dir=local).path == local / "good.toml"
    with pytest.raises(UserError, match=r"unknown flow 'nope' \(known: good\)"):
        get_flow("nope", local_dir=local)


def test_from_the_source_tree_the_shipped_flows_are_the_repository_flows_folder() -> None:
    repo_flows = Path(__file__).resolve().parents[1] / "flows"
    assert loader.shipped_flows_dir().resolve() == repo_flows
