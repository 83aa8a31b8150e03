"""Rendering: literals and docstrings are always safe, output is deterministic."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator import write
from generator.render import _markdown_code, docstring, export_order, py_str
from tests.conftest import CHAT_SPEC

ROOT = Path(__file__).resolve().parents[1]


@given(st.text())
def test_py_str_is_one_exact_string_literal(text: str) -> None:
    literal = py_str(text)
    assert literal.startswith('"') and "\n" not in literal
    node = ast.parse(literal, mode="eval").body
    assert isinstance(node, ast.Constant) and node.value == text


@settings(max_examples=300)
@given(st.text(), st.sampled_from(["", "    ", "        "]))
def test_docstring_is_one_string_literal_holding_the_text(text: str, indent: str) -> None:
    literal = docstring(text, indent)
    tree = ast.parse(f"def f():\n    {literal}\n" if indent else literal)
    body = tree.body[0].body if indent else tree.body  # type: ignore[attr-defined]
    assert len(body) == 1 and isinstance(body[0], ast.Expr)
    value = body[0].value
    assert isinstance(value, ast.Constant) and isinstance(value.value, str)
    assert value.value.split() == text.split()  # the words survive exactly, whatever they are


def test_docstring_escapes_hostile_text() -> None:
    for text in [
        '"""',
        'a"',
        '""""',
        "\\",
        "x\\",
        "\u2028",
        "\x00",
        '"""\nimport os\n"""',
        "\\N{BULLET}",
    ]:
        literal = docstring(text, "    ")
        assert isinstance(ast.literal_eval(literal), str), text


def test_markdown_code_spans_survive_tables() -> None:
    assert _markdown_code("GET /a|b") == "`GET /a\\|b`"
    assert _markdown_code("a `b` c") == "``a `b` c``"
    assert _markdown_code("`x`") == "`` `x` ``"
    assert _markdown_code("two\nlines") == "`two lines`"


def test_export_order_matches_ruff() -> None:
    assert export_order(
        ["__version__", "Zeta", "NOT_GIVEN", "Alpha", "APIError", "Api2", "Api10"]
    ) == [
        "NOT_GIVEN",
        "APIError",
        "Alpha",
        "Api2",
        "Api10",
        "Zeta",
        "__version__",
    ]


_GENERATE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from generator.config import ClientConfig
    from generator.pipeline import generate_client
    release = Path(sys.argv[4]) if len(sys.argv) > 4 else None
    generate_client(
        ClientConfig(spec=Path(sys.argv[1]), package=sys.argv[2], out=Path(sys.argv[3]), release=release)
    )
    """
)


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_generation_is_deterministic_across_hash_seeds(tmp_path: Path) -> None:
    """The same spec gives byte-identical trees, whatever the string hash seed."""
    trees = []
    for seed in ("1", "987654"):
        for spec, package in (
            (CHAT_SPEC, "chat_client"),
            (ROOT / "tests" / "specs_generate" / "hostile.openapi.yaml", "hostile_client"),
        ):
            out = tmp_path / seed / package
            env = {**os.environ, "PYTHONHASHSEED": seed}
            subprocess.run(
                [sys.executable, "-c", _GENERATE, str(spec), package, str(out)],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
        trees.append(_tree(tmp_path / seed))
    assert trees[0] == trees[1]
    assert (
        tmp_path / "1" / "chat_client" / "src" / "chat_client" / "models" / "__init__.py"
    ).is_file()


def test_committed_chat_client_matches_the_generator(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-c",
            _GENERATE,
            str(ROOT / "spec" / "chat.openapi.yaml"),
            "chat_client",
            str(tmp_path / "chat_client"),
            str(ROOT / "release" / "chat_client"),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    fresh = _tree(tmp_path / "chat_client")
    committed = {
        k: v
        for k, v in _tree(ROOT / "generated" / "chat_client").items()
        if not k.startswith(".") or k == write.MANIFEST
    }
    assert fresh == committed
