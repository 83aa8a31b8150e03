"""``clientgen generate``: exit codes, output and the project config."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CHAT_SPEC


def test_check_passes_on_the_committed_tree(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("generate", "--check")
    assert result.exit_code == 0, result.output
    assert "is current" in result.output


def test_ad_hoc_generate_and_check(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    result = run_cli("generate", str(CHAT_SPEC), "--out", str(out), "--package", "my_chat")
    assert result.exit_code == 0, result.output
    assert (out / "src" / "my_chat" / "_client.py").is_file()
    assert (
        "class MyChatClient(SyncAPIClient)" in (out / "src" / "my_chat" / "_client.py").read_text()
    )
    assert (
        run_cli(
            "generate", str(CHAT_SPEC), "--out", str(out), "--package", "my_chat", "--check"
        ).exit_code
        == 0
    )
    (out / "README.md").write_text("edited\n")
    stale = run_cli(
        "generate", str(CHAT_SPEC), "--out", str(out), "--package", "my_chat", "--check"
    )
    assert stale.exit_code == 1
    assert "+++ b/out/README.md" in stale.output
    assert "is stale" in stale.output


def test_quiet_prints_nothing_on_success(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(
        "generate", str(CHAT_SPEC), "--out", str(tmp_path / "o"), "--package", "p", "-q"
    )
    assert result.exit_code == 0
    assert result.output == ""


def test_usage_errors_exit_2(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run_cli("generate", str(CHAT_SPEC)).exit_code == 2
    assert run_cli("generate", "--out", str(tmp_path)).exit_code == 2
    assert (
        run_cli(
            "generate", str(CHAT_SPEC), "--out", str(tmp_path), "--package", "Not-Valid"
        ).exit_code
        == 2
    )
    assert run_cli("generate", "--bogus").exit_code == 2
    assert run_cli("generate", cwd=tmp_path).exit_code == 2  # no pyproject.toml anywhere above


def test_broken_spec_is_reported_located_and_nothing_written(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = tmp_path / "chat.yaml"
    text = CHAT_SPEC.read_text().replace(
        "    ParticipantRole:\n      type: string\n",
        "    ParticipantRole:\n      type: string\n      default: boss\n",
        1,
    )
    assert "default: boss" in text
    spec.write_text(text)
    out = tmp_path / "out"
    result = run_cli("generate", str(spec), "--out", str(out), "--package", "p")
    assert result.exit_code == 1
    assert "error [default-invalid]" in result.output
    assert "Traceback" not in result.output
    assert "nothing was written" in result.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chat.yaml"]


def test_help_is_complete(run_cli) -> None:  # type: ignore[no-untyped-def]
    top = run_cli("--help")
    assert "validate" in top.output and "generate" in top.output
    generate = run_cli("generate", "--help")
    for option in ("--out", "--package", "--check", "--strict", "--quiet", "--config"):
        assert option in generate.output


def test_python_dash_m_generator_runs(tmp_path: Path) -> None:
    shutil.copy(CHAT_SPEC, tmp_path / "s.yaml")
    done = subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(tmp_path / "s.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "valid" in done.stderr


def test_the_program_ends_with_all_output_written_and_its_exit_status(tmp_path: Path) -> None:
    # run as a program the process ends with os._exit: nothing may be lost on a pipe
    out = tmp_path / "out"
    command = [sys.executable, "-m", "generator", "generate", str(CHAT_SPEC)]
    command += ["--out", str(out), "--package", "p", "--no-cache"]
    first = subprocess.run(command, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    assert first.stderr.endswith("unchanged)\n")
    resource = next((out / "src" / "p" / "resources").glob("[!_]*.py"))
    resource.write_text(resource.read_text() + "# a hand edit\n" * 2000)
    stale = subprocess.run([*command, "--check"], capture_output=True, text=True, check=False)
    assert stale.returncode == 1
    assert stale.stdout.count("-# a hand edit") == 2000  # the whole diff, through a pipe
    assert "is stale" in stale.stderr
    usage = subprocess.run([*command, "--bogus"], capture_output=True, text=True, check=False)
    assert usage.returncode == 2 and "No such option" in usage.stderr


def test_severity_relevels_and_silences_rules(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = tmp_path / "chat.yaml"
    text = CHAT_SPEC.read_text().replace(
        "    ParticipantRole:\n      type: string\n",
        "    ParticipantRole:\n      type: string\n      default: boss\n",
        1,
    )
    spec.write_text(text)
    out = tmp_path / "out"
    as_warning = run_cli("validate", str(spec), "--severity", "default-invalid=warning")
    assert as_warning.exit_code == 0, as_warning.output
    assert "warning [default-invalid]" in as_warning.output
    assert (
        run_cli(
            "validate", str(spec), "--severity", "default-invalid=warning", "--strict"
        ).exit_code
        == 1
    )
    silenced = run_cli(
        "generate",
        str(spec),
        "--out",
        str(out),
        "--package",
        "p",
        "--severity",
        "default-invalid=off",
    )
    assert silenced.exit_code == 0, silenced.output
    assert "default-invalid" not in silenced.output
    assert (out / "src" / "p" / "models" / "__init__.py").is_file()
    bad = run_cli("validate", str(spec), "--severity", "default-invalid=loud")
    assert bad.exit_code == 2
    assert "RULE=LEVEL" in bad.output


def test_terminal_shows_each_stage_and_a_summary(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from generator import cli

    monkeypatch.setattr(cli, "_interactive", lambda: True)
    result = run_cli(
        "generate", str(CHAT_SPEC), "--out", str(tmp_path / "o"), "--package", "p", "--no-cache"
    )
    assert result.exit_code == 0, result.output
    for stage in ("load", "validate", "models", "render", "format", "write"):
        assert f"  {stage} " in result.output, stage
    assert "2 operation(s)" in result.output and "added" in result.output
    quiet = run_cli(
        "generate", str(CHAT_SPEC), "--out", str(tmp_path / "o"), "--package", "p", "-q"
    )
    assert quiet.output == ""


def test_no_colour_when_not_a_terminal(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = tmp_path / "broken.yaml"
    spec.write_text("openapi: 3.1.0\n")
    result = run_cli("validate", str(spec))
    assert result.exit_code == 1
    assert "\x1b[" not in result.output


_BROKEN_DEFAULT = (
    "openapi: 3.1.0\ninfo: {title: t, version: '1'}\nservers: [{url: 'https://x.example'}]\n"
    "paths:\n  /a:\n    get:\n      operationId: a\n      parameters:\n"
    "        - {name: n, in: query, schema: {type: string, default: 1}}\n"
    "      responses: {'204': {description: done}}\n"
)


def test_a_refusal_names_its_rules_and_how_to_accept_them(  # type: ignore[no-untyped-def]
    run_cli, tmp_path: Path
) -> None:
    spec = tmp_path / "third-party.yaml"
    spec.write_text(_BROKEN_DEFAULT, encoding="utf-8")
    command = ["generate", str(spec), "--out", str(tmp_path / "out"), "--package", "third"]
    refused = run_cli(*command)
    assert refused.exit_code == 1
    assert "refused by: default-invalid (1)" in refused.output
    assert "accept them as warnings: --severity default-invalid=warning" in refused.output
    accepted = run_cli(*command, "--severity", "default-invalid=warning")
    assert accepted.exit_code == 0, accepted.output


def test_a_refusal_that_cannot_be_accepted_offers_no_flags(  # type: ignore[no-untyped-def]
    run_cli, tmp_path: Path
) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text(_BROKEN_DEFAULT + "components: {schemas: {A: {$ref: '#/nowhere'}}}\n")
    refused = run_cli("generate", str(spec), "--out", str(tmp_path / "o"), "--package", "b")
    assert refused.exit_code == 1
    assert "refused by: " in refused.output and "ref-unresolved (1)" in refused.output
    assert "--severity" not in refused.output.split("refused by:")[1]
