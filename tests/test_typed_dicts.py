"""Request ``TypedDict``s: which models get one, and the class each gets."""

from __future__ import annotations

import ast
from pathlib import Path

from generator.diagnostics import Diagnostics
from generator.ir import Api
from generator.load import load_spec
from generator.model_source import ModelClass, ModelField
from generator.models import ModelsModule, generate_models
from generator.operations import build_api
from generator.typed_dicts import param_class_text, request_models, with_request_params

CHAT = Path(__file__).resolve().parents[1] / "spec" / "chat.openapi.yaml"


def _chat() -> tuple[Api, ModelsModule]:
    diagnostics = Diagnostics()
    spec = load_spec(CHAT, diagnostics)
    assert spec is not None
    api = build_api(spec, diagnostics)
    models = generate_models(api, package="chat_client", spec_name="chat", diagnostics=diagnostics)
    assert models is not None
    return api, models


def test_models_a_request_carries_get_a_typed_dict() -> None:
    api, models = _chat()
    # addChatroomParticipant's spread body has `data: ChatroomParticipant`, which holds a
    # Chatroom; addParticipant's spread body has only scalars and an enum
    assert request_models(api, models.classes) == ["ChatroomParticipant", "Chatroom"]
    augmented = with_request_params(api, models)
    assert augmented.params == {
        "ChatroomParticipant": "ChatroomParticipantParam",
        "Chatroom": "ChatroomParam",
    }
    assert {"ChatroomParticipantParam", "ChatroomParam"} <= set(augmented.classes)
    assert augmented.parts is not None
    text = {c.name: c.text for c in augmented.parts.classes}["ChatroomParticipantParam"]
    assert "    chatroom: NotRequired[Chatroom | ChatroomParam]" in text
    assert "    last_read_at: NotRequired[datetime | str]" in text
    assert "None" not in text  # null is refused for these fields, so not offered
    ast.parse(augmented.source)  # the whole module still parses


def test_param_class_spells_requiredness_nullability_and_nesting() -> None:
    model = ModelClass(
        "Order",
        (
            ModelField("item_id", "itemId", "str", required=True, nullable=False),
            ModelField("note", "note", "str | None", required=False, nullable=True),
            ModelField("tag", "tag", "str | None", required=False, nullable=False),
            ModelField("role", "role", "Role | None", required=False, nullable=False),
            ModelField("lines", "lines", "list[Line]", required=True, nullable=False),
        ),
        is_root=False,
    )
    kinds: dict[str, str | None] = {"Role": 'Literal["a", "b"]', "Line": None, "Order": None}
    text = param_class_text(
        model, "OrderParam", kinds=kinds, params={"Line": "LineParam", "Order": "OrderParam"}
    )
    body = [line.strip() for line in text.splitlines()[3:]]
    assert text.startswith("class OrderParam(TypedDict):")
    assert body == [
        "itemId: Required[str]",
        "note: NotRequired[str | None]",
        "tag: NotRequired[str]",
        "role: NotRequired[Literal['a', 'b']]",
        "lines: Required[Sequence[Line | LineParam]]",
    ]


def test_a_param_never_takes_the_name_of_a_type_alias(tmp_path: Path) -> None:
    """OpenAI has a model ``Input`` and an alias ``InputParam``: the TypedDict of ``Input``
    must take another name, or the models that use the alias would get the TypedDict."""
    from generator.models import generate_models

    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"
        "servers: [{url: 'https://x.example'}]\n"
        "paths:\n  /a:\n    post:\n      operationId: a\n"
        "      requestBody:\n        content:\n          application/json:\n"
        "            schema: {$ref: '#/components/schemas/Outer'}\n"
        "      responses: {'204': {description: done}}\n"
        "components:\n  schemas:\n"
        "    Outer:\n      type: object\n      properties: {input: {$ref: '#/components/schemas/Input'}}\n"
        "    Input:\n      type: object\n      properties: {p: {$ref: '#/components/schemas/InputParam'}}\n"
        "    InputParam: {oneOf: [{type: string}, {type: integer}]}\n",
        encoding="utf-8",
    )
    diagnostics = Diagnostics()
    loaded = load_spec(spec, diagnostics)
    assert loaded is not None
    api = build_api(loaded, diagnostics)
    models = generate_models(api, package="t", spec_name="spec.yaml", diagnostics=diagnostics)
    assert models is not None and "InputParam" in models.aliases
    params = with_request_params(api, models).params
    assert params["Input"] not in {"InputParam", *models.types}
