"""Import blocks written as ruff's isort rules sort them (``generator/import_block.py``)."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

from generator.import_block import Imported, import_block, imported_names
from generator.write import _RUFF_SETTINGS, _ruff

#: sources and members chosen to stress the rules: sections, natural order, case, member
#: types, ``as`` imports, relative levels, lines long enough to wrap
SOURCES = (
    "typing",
    "typing_extensions",
    "collections.abc",
    "datetime",
    "enum",
    "uuid",
    "pydantic",
    "pydantic.networks",
    "httpx",
    "..models",
    ".._models",
    "._item2",
    "._item10",
    "._Item3",
    "._a_very_long_module_name_that_takes_up_most_of_the_line_by_itself_alone",
    ".",
)
MEMBERS = (
    "Any",
    "ANY",
    "any_",
    "Literal",
    "date",
    "datetime",
    "Item2",
    "Item10",
    "item1",
    "ITEM_2",
    "X",
    "x",
    "Annotated",
    "ConfigDict",
    "Field",
    "AVeryLongClassNameThatMakesTheImportLineGoPastTheLimitOfOneHundred",
)
STRAIGHT = ("json", "os.path", "httpx", "re", "typing", "pydantic")


def _random_names(rng: random.Random) -> list[Imported]:
    names: dict[str, Imported] = {}
    for _ in range(rng.randint(1, 14)):
        if rng.random() < 0.15:
            source = rng.choice(STRAIGHT)
            local = rng.choice([source.split(".")[0], f"{source.split('.')[0]}_alias"])
            names[local] = Imported(source, "", local)
            continue
        name = rng.choice(MEMBERS)
        local = name if rng.random() < 0.8 else f"{name}_aliased"
        names[local] = Imported(rng.choice(SOURCES), name, local)
    return list(names.values())


def _module(names: list[Imported]) -> str:
    used = ", ".join(sorted(n.local for n in names))
    block = "\n".join(import_block(names))
    return f"from __future__ import annotations\n\n{block}\n\nUSED = [{used}]\n"


def test_blocks_are_what_ruff_would_leave(tmp_path: Path) -> None:
    """Hundreds of random blocks in one ruff run: ruff finds nothing to sort in any."""
    rng = random.Random(16)
    package = tmp_path / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for index in range(300):
        (package / f"m{index}.py").write_text(_module(_random_names(rng)))
    result = subprocess.run(
        [*_ruff().split(), "check", *_RUFF_SETTINGS, "--select", "I", "--no-cache", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[:4000]


def test_sections_members_and_wrapping() -> None:
    long_name = "AVeryLongClassNameThatMakesTheImportLineGoPastTheLimitOfOneHundredCharactersInAll"
    names = [
        Imported("._pet", "Pet", "Pet"),
        Imported("pydantic", "Field", "Field"),
        Imported("typing", "Literal", "Literal"),
        Imported("typing", "TYPE_CHECKING", "TYPE_CHECKING"),
        Imported("typing", "cast", "cast"),
        Imported("datetime", "date", "date_aliased"),
        Imported("datetime", "datetime", "datetime"),
        Imported("json", "", "json"),
        Imported(".._models", "BaseModel", "BaseModel"),
        Imported("._owner", long_name, long_name),
    ]
    assert import_block(names) == (
        "import json",
        "from datetime import date as date_aliased",
        "from datetime import datetime",
        "from typing import TYPE_CHECKING, Literal, cast",
        "",
        "from pydantic import Field",
        "",
        "from .._models import BaseModel",
        "from ._owner import (",
        f"    {long_name},",
        ")",
        "from ._pet import Pet",
    )


def test_imported_names_reads_what_statements_bind() -> None:
    found = imported_names(
        [
            "from __future__ import annotations",
            "from typing import Any, Literal as L",
            "from .._models import BaseModel",
            "import os.path",
            "import json as j",
        ]
    )
    assert found == {
        "Any": Imported("typing", "Any", "Any"),
        "L": Imported("typing", "Literal", "L"),
        "BaseModel": Imported(".._models", "BaseModel", "BaseModel"),
        "os": Imported("os.path", "", "os"),
        "j": Imported("json", "", "j"),
    }
    assert [found[n].statement for n in ("L", "os", "j")] == [
        "from typing import Literal as L",
        "import os.path",
        "import json as j",
    ]
