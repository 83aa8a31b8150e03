"""Generated model source taken apart: class records, markers, renaming, assembling."""

from __future__ import annotations

import ast

import pytest

from generator.model_source import (
    _own_fields,
    analyse,
    assemble,
    expand_aliases,
    flatten_conflicting_overrides,
    rename_class,
    rename_names,
)

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
    assert not analyse(SOURCE + "\nif Pet:\n    pass\n", SCHEMAS).plain
    assert not analyse("__all__: list[str] = []\n", {}).plain  # the module of no schemas
    assert not analyse(SOURCE + "\nCat.model_rebuild()\n", SCHEMAS).plain  # no such definition
    with pytest.raises(SyntaxError):
        analyse("class (:\n", {})


ALIASED = (
    SOURCE
    + """

Metadata = TypeAliasType("Metadata", Annotated[str, Field(max_length=512, description="Pet")])
Names = list[Metadata]
Json = TypeAliasType("Json", "dict[str, Json] | list[Json] | str | None")


class Owner(BaseModel):
    metadata: dict[str, Metadata] | None = None
    names: Annotated[Names, Field(min_length=1)]
    pets: list[Pet] | None = None
    extra: Json = None


Owner.model_rebuild()
Pet.model_rebuild()
"""
)


def test_aliases_and_rebuild_calls_are_definitions_and_trailers() -> None:
    module = analyse(ALIASED, SCHEMAS)
    assert module.plain
    by_name = {c.name: c for c in module.classes}
    assert [c.name for c in module.classes if c.kind == "alias"] == ["Metadata", "Names", "Json"]
    metadata = by_name["Metadata"]
    # a Field's description ("Pet") and the alias's own quoted name are no names
    assert metadata.names == metadata.eager == {"TypeAliasType", "Annotated", "Field", "str"}
    assert metadata.text.startswith("Metadata = TypeAliasType(")
    assert by_name["Names"].eager == {"list", "Metadata"}
    # a quoted forward reference is used, not evaluated
    assert "Json" not in by_name["Json"].names and "dict" in by_name["Json"].names
    assert "dict" not in by_name["Json"].eager
    assert by_name["Owner"].after == ("Owner.model_rebuild()",)
    assert by_name["Pet"].after == ("Pet.model_rebuild()",)
    assert by_name["Dog"].after == ()


def test_field_annotations_spell_out_aliases() -> None:
    module = analyse(ALIASED, SCHEMAS)
    assert {c.name: c for c in module.classes}["Owner"].model.fields[0].annotation == (
        "dict[str, Metadata] | None"  # as generated, until the module is whole
    )
    owner = {c.name: c for c in expand_aliases(module).classes}["Owner"].model
    annotations = {f.name: f.annotation for f in owner.fields}
    assert annotations["metadata"] == "dict[str, str] | None"
    assert annotations["names"] == "list[str]"  # an alias of an alias, Annotated dropped
    assert annotations["pets"] == "list[Pet] | None"
    assert annotations["extra"] == "Json"  # recursive: kept by name


def test_assembled_module_keeps_rebuild_calls_last() -> None:
    module = analyse(ALIASED, SCHEMAS)
    text = assemble(module)
    assert text.rstrip().endswith("\n\nPet.model_rebuild()\nOwner.model_rebuild()")  # class order
    renamed = rename_class({c.name: c for c in module.classes}["Owner"], {"Owner": "Holder"})
    assert renamed.after == ("Holder.model_rebuild()",) and renamed.kind == "class"


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


def test_quoted_names_in_assigned_annotations_are_used() -> None:
    """``additionalProperties`` of a model type the extra fields through ``__annotations__``."""
    source = (
        "from pkg._models import BaseModel\n\n\n"
        "class Inlined(BaseModel):\n"
        "    __annotations__ = {\n"
        '        "__pydantic_extra__": Dict[str, "InlinedValue"],\n'
        "    }\n"
        "    a_number: float | None = None\n\n\n"
        "class InlinedValue(BaseModel):\n"
        "    x: int\n"
    )
    inlined = analyse(source, {}).classes[0]
    assert {"InlinedValue", "Dict"} <= inlined.names


def test_literal_aliases_are_spelled_out() -> None:
    source = (
        "from pkg._models import BaseModel\n\n"
        "Status = TypeAliasType(\"Status\", Annotated[Literal['a', 'b'], Field(title='Status')])\n\n\n"
        "class Pet(BaseModel):\n"
        "    status: Status | None = 'a'\n"
    )
    pet = {c.name: c for c in expand_aliases(analyse(source, {})).classes}["Pet"]
    assert pet.model.fields[0].annotation == "Literal['a', 'b'] | None"


def test_renamed_alias_keeps_its_own_name_and_forward_references_in_step() -> None:
    source = (
        'Temperature = TypeAliasType("Temperature", Annotated[float, Field(description="Temperature")])\n'
        'Tree = TypeAliasType("Tree", "list[Tree] | Temperature")\n'
    )
    first, second = analyse(source, {}).classes
    renamed = rename_class(first, {"Temperature": "Temperature1"})
    assert renamed.text == (
        'Temperature1 = TypeAliasType("Temperature1", '
        'Annotated[float, Field(description="Temperature")])'
    )
    assert rename_class(second, {"Temperature": "Temperature1", "Tree": "Tree2"}).text == (
        'Tree2 = TypeAliasType("Tree2", "list[Tree2] | Temperature1")'
    )


OVERRIDE = '''# header
from __future__ import annotations

from typing import ClassVar, Literal

from pkg._models import BaseModel

Status = TypeAliasType("Status", Literal["completed", "failed"])


class Output(BaseModel):
    """A call's output."""

    type: Literal["output"]
    id: str | None = None
    """The ID."""
    status: Literal["in_progress", "completed"] | None = None
    """The status."""


class OutputResource(Output):
    """As stored."""

    id: str
    status: Status
    """Narrowed differently from the base."""
    created_by: str | None = None


class Narrower(Output):
    status: Literal["completed"]
'''


def test_conflicting_override_is_flattened_and_compatible_ones_kept() -> None:
    schemas = {
        "Output": {"properties": {"id": {"type": "string"}, "status": {"type": "string"}}},
        "OutputResource": {"properties": {"created_by": {"type": "string"}}},
    }
    module = flatten_conflicting_overrides(expand_aliases(analyse(OVERRIDE, schemas)))
    by_name = {c.name: c for c in module.classes}
    assert by_name["Output"].text.endswith('mark_non_nullable(Output, "id", "status")')
    flat = by_name["OutputResource"]
    assert flat.text == (
        "class OutputResource(BaseModel):\n"
        '    """As stored."""\n'
        '    type: Literal["output"]\n'
        "    id: str\n"
        "    status: Status\n"
        '    """Narrowed differently from the base."""\n'
        "    created_by: str | None = None\n\n\n"
        'mark_non_nullable(OutputResource, "created_by")'
    )
    assert "Output" not in flat.names and "BaseModel" in flat.eager
    assert [f.name for f in flat.model.fields] == ["type", "id", "status", "created_by"]
    # a narrower Literal is a subtype: the class keeps its base
    assert by_name["Narrower"].text.startswith("class Narrower(Output):")
    assert "class OutputResource(BaseModel):" in module.source


def test_an_alias_keeps_its_docstring() -> None:
    """datamodel-code-generator writes an enum's description after its ``TypeAliasType``;
    it stays with the alias (once analysed, and again when the module is read back)."""
    source = (
        "from __future__ import annotations\n\n"
        "from typing import Literal\n\n"
        "from typing_extensions import TypeAliasType\n\n"
        'Role = TypeAliasType("Role", Literal["admin", "member"])\n'
        '"""\nWho the participant is.\n"""\n'
    )
    role = analyse(source, {}).classes[0]
    assert role.kind == "alias" and role.text.endswith('"""\nWho the participant is.\n"""')
    again = analyse(assemble(analyse(source, {})), {}, describe=False).classes[0]
    assert again.text == role.text
