"""Models a Python user would write by hand (issue 13): no pydantic ``RootModel`` reaches the
public API, enums are values that compare equal, list and union responses are plain
lists and members, defaults are typed values, and the package passes ``mypy --strict``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.config import ClientConfig
from generator.pipeline import generate_client
from tests.corpus.checks import mypy_strict

SPEC = Path(__file__).parent / "specs_generate" / "plain-types.openapi.yaml"

SCRIPT = """
import httpx, plain_client
sent = []
def reply(request):
    sent.append(request.content.decode())
    if request.method == "GET":
        return httpx.Response(200, json=[{"name": "a", "status": "sold"}, {"name": "b"}])
    if request.method == "PUT":
        return httpx.Response(204)
    return httpx.Response(200, json={"message": "nope"})
client = plain_client.PlainClient(
    base_url="http://t", http_client=httpx.Client(transport=httpx.MockTransport(reply))
)
pets = client.pets.list_pets()
print(type(pets).__name__, len(pets), pets[0].status == "sold", pets[1].status, pets[1].count)
print(type(pets[1].status).__name__, type(pets[1].count).__name__)
made = client.pets.create_pet(name="x", status="sold", count=3)
print(type(made).__name__, made.message, sent[-1])
for bad in ({"count": 11}, {"status": "bogus"}, {"nickname": None}):
    try:
        client.pets.create_pet(name="x", **bad)
    except plain_client.RequestValidationError as error:
        print("refused", error.errors[0][0])
print(client.pets.put_statuses(body=["sold"]), sent[-1])
"""


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plain") / "out"
    generate_client(ClientConfig(SPEC, "plain_client", out))
    return out / "src"


def test_no_root_model_anywhere(package: Path) -> None:
    texts = {p.name: p.read_text() for p in (package / "plain_client").rglob("*.py")}
    assert not [name for name, text in texts.items() if "RootModel" in text]
    resource = texts["pets.py"]
    assert (
        "def list_pets(\n        self,\n        *,\n        type: str | NotGiven = NOT_GIVEN,"
        in resource
    )
    assert 'cast_to=cast("builtins.type[Pets]", Pets)' in resource
    assert "import builtins" in resource
    pet = texts["_pet.py"]
    # defaults are typed values of plain types; nullable: false optional fields admit the
    # absent value (None) for type checkers, and the marker still refuses it in requests
    assert 'status: PetStatus = "pending"' in pet and "count: Count = 1" in pet
    assert "nickname: str | None = None" in pet and "owner: Error | None = None" in pet
    assert (
        'PetStatus = TypeAliasType("PetStatus", Literal["available", "pending", "sold"])'
        in (texts["_pet_status.py"])
    )


def test_values_are_plain(package: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=package, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "list 2 True pending 1",
        "str int",
        'Error nope {"name":"x","status":"sold","count":3}',
        "refused count",
        "refused status",
        "refused nickname",
        'None ["sold"]',
    ]


@pytest.mark.slow
def test_package_passes_mypy_strict(package: Path) -> None:
    assert mypy_strict({"plain_client": package}, cwd=package) == {}
