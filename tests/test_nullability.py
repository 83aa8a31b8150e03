"""Properties declared through ``allOf`` and whether they admit ``null`` (issue 13)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.config import ClientConfig
from generator.model_source import analyse
from generator.nullability import is_nullable, property_schemas
from generator.pipeline import generate_client

SPEC = Path(__file__).parent / "specs_generate" / "nullable-allof.openapi.yaml"

BASE = {"type": "object", "properties": {"id": {"type": "string"}, "shared": {"type": "string"}}}


@pytest.mark.parametrize(
    ("schema", "nullable"),
    [
        ({"type": ["string", "null"]}, True),
        ({"type": "string", "nullable": True}, True),
        ({"type": "null"}, True),
        ({"oneOf": [{"type": "string"}, {"type": "null"}]}, True),
        ({"anyOf": [{"$ref": "#/x"}, {"type": "string", "nullable": True}]}, True),
        ({"allOf": [{"type": ["string", "null"]}, {"maxLength": 3, "nullable": True}]}, True),
        ({"allOf": [{"type": ["string", "null"]}, {"type": "string"}]}, False),
        ({"type": "string"}, False),
        ({"type": "string", "nullable": False}, False),
        ({}, False),
    ],
)
def test_is_nullable(schema: dict[str, object], nullable: bool) -> None:
    assert is_nullable(schema) is nullable


def test_properties_of_allof_members_and_refs() -> None:
    schemas = {"Base": BASE}
    note = {
        "allOf": [
            {"$ref": "#/components/schemas/Base"},
            {"properties": {"note": {"type": ["string", "null"]}, "title": {"type": "string"}}},
            {"properties": {"shared": {"type": "string", "nullable": True, "readOnly": True}}},
        ]
    }
    found = property_schemas(note, schemas)
    assert sorted(found) == ["id", "note", "shared", "title"]
    assert is_nullable(found["note"]) and not is_nullable(found["title"])
    # declared twice, nullable in one only: allOf means both hold, so null is refused
    assert not is_nullable(found["shared"]) and found["shared"]["readOnly"] is True


def test_a_ref_to_a_nullable_schema_is_nullable() -> None:
    schemas = {
        "Note": {"type": ["string", "null"]},
        "Plain": {"type": "string"},
        "Loop": {"$ref": "#/components/schemas/Loop"},
    }
    owner = {
        "properties": {
            "note": {"$ref": "#/components/schemas/Note", "description": "d"},
            "plain": {"$ref": "#/components/schemas/Plain"},
            "loop": {"$ref": "#/components/schemas/Loop"},
        }
    }
    found = property_schemas(owner, schemas)
    assert [is_nullable(found[n]) for n in ("note", "plain", "loop")] == [True, False, False]
    assert found["note"]["description"] == "d"
    assert not is_nullable(owner["properties"]["note"])  # without the schemas: not followed


def test_cyclic_refs_end() -> None:
    schemas = {"A": {"allOf": [{"$ref": "#/components/schemas/A"}], "properties": {"x": {}}}}
    assert list(property_schemas(schemas["A"], schemas)) == ["x"]


def test_model_fields_inside_allof_are_nullable() -> None:
    source = (
        "from pkg._models import BaseModel\n\n\n"
        "class Base(BaseModel):\n    id: str | None = None\n\n\n"
        "class Note(Base):\n    note: str | None = None\n    title: str | None = None\n"
    )
    schemas = {
        "Base": BASE,
        "Note": {
            "allOf": [
                {"$ref": "#/components/schemas/Base"},
                {
                    "properties": {
                        "note": {"type": "string", "nullable": True},
                        "title": {"type": "string"},
                    }
                },
            ]
        },
    }
    module = analyse(source, schemas)
    note = {c.name: c for c in module.classes}["Note"]
    assert {f.name: f.nullable for f in note.model.fields} == {
        "id": False,
        "note": True,
        "title": False,
    }
    assert note.text.endswith('mark_non_nullable(Note, "title")')


@pytest.mark.parametrize("version", ["3.1", "3.0"])
def test_client_accepts_none_for_a_nullable_allof_property(tmp_path: Path, version: str) -> None:
    spec = SPEC
    if version == "3.0":
        spec = tmp_path / "spec30.yaml"
        spec.write_text(
            SPEC.read_text()
            .replace("openapi: 3.1.0", "openapi: 3.0.3")
            .replace("note: {type: [string, 'null']}", "note: {type: string, nullable: true}")
        )
    out = tmp_path / "out"
    generate_client(ClientConfig(spec, "note_client", out))
    script = (
        "import httpx, note_client\n"
        "sent = []\n"
        "def reply(request):\n"
        "    sent.append(request.content.decode())\n"
        "    return httpx.Response(204)\n"
        "client = note_client.NoteClient(base_url='http://t',\n"
        "    http_client=httpx.Client(transport=httpx.MockTransport(reply)))\n"
        "client.notes.create_note(note=None, title='t')\n"
        "print(sent[-1])\n"
        "try:\n    client.notes.create_note(title=None)\n"
        "except note_client.RequestValidationError as error:\n    print(error.errors[0][0])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=out / "src", capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ['{"note":null,"title":"t"}', "title"]
