"""Generated model source taken apart: class records, markers, renaming, assembling."""

from __future__ import annotations

import ast

import pytest

from generator.model_source import _own_fields, analyse, assemble, rename_class, rename_names

SOURCE = '''# header

from __future__ import annotations

from datetime import date as date_aliased
from pkg._models import BaseModel
from pydantic import Field, RootModel


class Tag(RootModel[str]):
    root: str


class Pet(BaseModel):
    """A pet; see Tag."""

    name: str
    tag: Tag | None = None
    born: date_aliased | None = None
    alias_field: str | None = Field(None, alias="aliasField")


class Dog(Pet):
    friend: "Pet | None" = None
    kind: str = Tag.__name__
'''

SCHEMAS = {
    "Pet": {
        "properties": {
            "name": {"type": "string"},
            "tag": {"$ref": "#/components/schemas/Tag"},
            "born": {"type": ["string", "null"]},
            "aliasField": {"type": "string"},
        }
    }
}


def test_classes_names_fields_and_markers() -> None:
    module = analyse(SOURCE, SCHEMAS)
    assert module.plain and module.header == ("# header", "")
    assert module.imported["date_aliased"] == ("datetime", "date")
    tag, pet, dog = module.classes
    assert tag.model.is_root and tag.model.root_annotation == "str"
    assert {"Tag", "date_aliased", "BaseModel", "Field"} <= pet.names
    assert pet.eager == {"BaseModel", "Field"}
    assert "Pet" in dog.names  # from the quoted annotation
    assert dog.eager == {"Pet", "Tag"}  # base and an evaluated value
    fields = {f.alias: f for f in pet.model.fields}
    assert fields["aliasField"].name == "alias_field" and not fields["aliasField"].required
    assert fields["born"].nullable and not fields["tag"].nullable
    # optional, and null not allowed: marked, in the record and in the whole source
    marker = 'mark_non_nullable(Pet, "alias_field", "tag")'
    assert pet.text.endswith("\n\n\n" + marker) and f"\n{marker}\n" in module.source
    assert "class Pet" not in pet.text.split(marker)[1]  # after the class, not in its body
    assert "from .._models import mark_non_nullable" in module.source
    assert [f.name for f in dog.model.fields][:4] == ["name", "tag", "born", "alias_field"]


def test_without_describe_nothing_is_marked() -> None:
    module = analyse(SOURCE, {}, describe=False)
    assert module.source == SOURCE
    assert all("mark_non_nullable" not in c.text for c in module.classes)


def test_other_statements_make_a_module_not_plain() -> None:
    assert not analyse(SOURCE + "\nPet.model_rebuild()\n", SCHEMAS).plain
    with pytest.raises(SyntaxError):
        analyse("class (:\n", {})


def test_renaming_touches_names_only() -> None:
    text = 'x: Tag = Field(description="Tag stays", alias="Tag")  # Tag\ny = other.Tag\nz = Tag1'
    assert rename_names(text, {"Tag": "Tag2"}) == (
        'x: Tag2 = Field(description="Tag stays", alias="Tag")  # Tag\ny = other.Tag\nz = Tag1'
    )


def test_renamed_class_record_is_consistent() -> None:
    module = analyse(SOURCE, SCHEMAS)
    pet = rename_class(module.classes[1], {"Tag": "Label", "Pet": "Animal"})
    assert pet.name == "Animal" and pet.model.name == "Animal"
    assert "class Animal(BaseModel):" in pet.text and "tag: Label | None" in pet.text
    assert '"""A pet; see Tag."""' in pet.text
    assert "Label" in pet.names and "Tag" not in pet.names
    assert {f.name: f.annotation for f in pet.model.fields}["tag"] == "Label | None"


def test_assemble_round_trips() -> None:
    module = analyse(SOURCE, SCHEMAS)
    text = assemble(module)
    again = analyse(text, {}, describe=False)
    assert [c.text for c in again.classes] == [c.text for c in module.classes]
    assert ast.parse(text)


def test_redeclared_field_takes_its_base_fields_place() -> None:
    source = (
        "class Base(BaseModel):\n    a: int\n    b: int\n\n\n"
        "class Child(Base):\n    c: int\n    a: str | None = None\n"
    )
    child = analyse(source, {}).classes[1].model
    assert [(f.name, f.annotation) for f in child.fields] == [
        ("a", "str | None"),
        ("b", "int"),
        ("c", "int"),
    ]


def test_field_wire_name_description_and_schema() -> None:
    node = ast.parse(
        "class C(BaseModel):\n"
        "    model_config = ConfigDict(extra='allow')\n"
        "    a: Annotated[int, Field(alias='A')] = Field(0, alias='ignored')\n"
        '    """The A."""\n'
        "    b: int = Field(..., alias='B')\n"
        "    c: int | None = None\n"
    ).body[0]
    assert isinstance(node, ast.ClassDef)
    properties = {"A": {"readOnly": True}, "c": {"nullable": True}}
    a, b, c = _own_fields(node, properties)
    assert (a.alias, a.required, a.description, a.read_only) == ("A", False, "The A.", True)
    assert (b.alias, b.required, b.description, b.read_only) == ("B", True, "", False)
    assert (c.alias, c.required, c.nullable) == ("c", False, True)
