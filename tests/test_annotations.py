"""Keyword-argument annotations widen model types, keep literals as data and say their names."""

from __future__ import annotations

from generator.annotations import argument_annotation, schema_annotation

MODELS: dict[str, str | None] = {
    "Pet": None,
    "Tags": "list[str]",
    "Either": "Cat | Dog",
    "Cat": None,
    "Dog": None,
    "Role": 'Literal["admin", "member"]',
}


def test_models_may_be_mappings_and_lists_sequences() -> None:
    assert argument_annotation(
        "list[Pet] | None", models=MODELS, nullable=False, optional=True
    ).text == ("Sequence[Pet | Mapping[str, Any]] | NotGiven")
    assert argument_annotation(
        "dict[str, int]", models=MODELS, nullable=True, optional=False
    ).text == ("Mapping[str, int] | None")


def test_type_aliases_are_their_value_flat_and_without_repeats() -> None:
    assert (
        argument_annotation("Tags", models=MODELS, nullable=False, optional=False).text
        == "Sequence[str]"
    )
    assert argument_annotation("Either", models=MODELS, nullable=False, optional=False).text == (
        "Cat | Mapping[str, Any] | Dog"
    )
    assert argument_annotation(
        "list[Either] | None", models=MODELS, nullable=True, optional=True
    ).text == ("Sequence[Cat | Mapping[str, Any] | (Dog | Mapping[str, Any])] | None | NotGiven")


def test_an_enum_root_model_is_written_once_as_its_values() -> None:
    assert argument_annotation(
        "Role | None", models=MODELS, nullable=False, optional=True
    ).text == ("Literal['admin', 'member'] | NotGiven")
    assert argument_annotation(
        "list[Role]", models=MODELS, nullable=False, optional=False
    ).text == ("Sequence[Literal['admin', 'member']]")


def test_annotated_constraints_are_dropped_and_literals_kept() -> None:
    annotation = 'list[Annotated[str, Field(min_length=1)]] | Literal["Pet", "a | b"]'
    assert argument_annotation(annotation, models=MODELS, nullable=False, optional=False).text == (
        "Sequence[str] | Literal['Pet', 'a | b']"
    )


def test_parameter_schemas() -> None:
    assert schema_annotation({"type": "integer", "nullable": True}).text == "int | None"
    assert schema_annotation({"type": ["string", "null"]}).text == "str | None"
    assert (
        schema_annotation({"type": "array", "items": {"type": "number"}}).text == "Sequence[float]"
    )
    assert schema_annotation({"enum": ["a'", 'b"', 1]}).text == "Literal[\"a'\", 'b\"', 1]"
    assert schema_annotation({}).text == "Any"


def test_annotations_say_the_names_they_use_and_their_first_member() -> None:
    annotation = argument_annotation(
        "list[Pet] | None", models=MODELS, nullable=False, optional=True
    )
    assert annotation.names == {"Sequence", "Pet", "Mapping", "str", "Any", "NotGiven"}
    assert annotation.head == "Sequence" and annotation.literal == ()
    literal = schema_annotation({"enum": ["b", "a"]})
    assert (literal.names, literal.head, literal.literal) == ({"Literal"}, "Literal", ("b", "a"))
    nullable = schema_annotation({"type": "integer", "nullable": True})
    assert (nullable.names, nullable.head) == ({"int"}, "int")
    assert nullable.or_not_given().names == {"int", "NotGiven"}
