"""[tool.clientgen] in pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import ConfigError, find_pyproject, load_config


def test_project_config_lists_the_chat_client(root: Path) -> None:
    (client,) = load_config(root / "pyproject.toml")
    assert client.spec == root / "spec" / "chat.openapi.yaml"
    assert client.package == "chat_client"
    assert client.out == root / "generated" / "chat_client"


def test_find_pyproject_walks_up(root: Path) -> None:
    assert find_pyproject(root / "generator" / "runtime") == root / "pyproject.toml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[project]\nname='x'\n", "no [tool.clientgen] section"),
        ("[tool.clientgen]\n", "lists no"),
        ("[[tool.clientgen.clients]]\nspec='a.yaml'\n", "needs string keys"),
        (
            "[[tool.clientgen.clients]]\nspec='a.yaml'\npackage='Chat-Client'\nout='o'\n",
            "not a lower-case Python identifier",
        ),
        (
            "[[tool.clientgen.clients]]\nspec='a.yaml'\npackage='class'\nout='o'\n",
            "not a lower-case Python identifier",
        ),
        ("not toml [", "cannot read"),
    ],
)
def test_bad_config_says_what_to_fix(tmp_path: Path, text: str, message: str) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        load_config(pyproject)


def test_severity_table_is_read(tmp_path: Path) -> None:
    from generator.diagnostics import Level

    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        "[[tool.clientgen.clients]]\nspec='a.yaml'\npackage='a'\nout='o'\n"
        "severity = { example-invalid = 'warning', operation-id-missing = 'off' }\n"
    )
    (client,) = load_config(pyproject)
    assert client.severity == (("example-invalid", Level.WARNING), ("operation-id-missing", None))
    pyproject.write_text(
        "[[tool.clientgen.clients]]\nspec='a.yaml'\npackage='a'\nout='o'\nseverity = { x = 'loud' }\n"
    )
    with pytest.raises(ConfigError, match="severity"):
        load_config(pyproject)
