"""Keyword-argument annotations widen model types and keep literals as data."""

from __future__ import annotations

from generator.annotations import argument_annotation, schema_annotation

MODELS: dict[str, str | None] = {
    "Pet": None,
    "Tags": "list[str]",
    "Either": "Cat | Dog",
    "Cat": None,
    "Dog": None,
}


def test_models_may_be_mappings_and_lists_sequences() -> None:
    assert argument_annotation(
        "list[Pet] | None", models=MODELS, nullable=False, optional=True
    ) == ("Sequence[Pet | Mapping[str, Any]] | NotGiven")
    assert argument_annotation("dict[str, int]", models=MODELS, nullable=True, optional=False) == (
        "Mapping[str, int] | None"
    )


def test_type_aliases_are_their_value_flat_and_without_repeats() -> None:
    assert (
        argument_annotation("Tags", models=MODELS, nullable=False, optional=False)
        == "Sequence[str]"
    )
    assert argument_annotation("Either", models=MODELS, nullable=False, optional=False) == (
        "Cat | Mapping[str, Any] | Dog"
    )
    assert argument_annotation(
        "list[Either] | None", models=MODELS, nullable=True, optional=True
    ) == ("Sequence[Cat | Mapping[str, Any] | (Dog | Mapping[str, Any])] | None | NotGiven")


def test_annotated_constraints_are_dropped_and_literals_kept() -> None:
    annotation = 'list[Annotated[str, Field(min_length=1)]] | Literal["Pet", "a | b"]'
    assert argument_annotation(annotation, models=MODELS, nullable=False, optional=False) == (
        "Sequence[str] | Literal['Pet', 'a | b']"
    )


def test_parameter_schemas() -> None:
    assert schema_annotation({"type": "integer", "nullable": True}) == "int | None"
    assert schema_annotation({"type": ["string", "null"]}) == "str | None"
    assert schema_annotation({"type": "array", "items": {"type": "number"}}) == "Sequence[float]"
    assert schema_annotation({"enum": ["a'", 'b"', 1]}) == "Literal[\"a'\", 'b\"', 1]"
    assert schema_annotation({}) == "Any"
