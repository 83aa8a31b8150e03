"""BaseModel config, request-model building, body serialisation, value validation."""

from __future__ import annotations

import datetime
import enum
import uuid
from typing import Literal

import pydantic
import pytest

from generator.runtime._exceptions import RequestValidationError
from generator.runtime._models import (
    BaseModel,
    build_request_model,
    encode_json,
    mark_non_nullable,
    to_json_body,
    type_adapter,
    validate_value,
)
from generator.runtime._types import NOT_GIVEN


class Profile(BaseModel):
    first_name: str | None = pydantic.Field(default=None, alias="firstName")
    last_name: str | None = pydantic.Field(default=None, alias="lastName")


class Participant(BaseModel):
    user_id: str = pydantic.Field(alias="userId")
    role: Literal["admin", "member"]
    profile: Profile | None = None
    model_schema: str | None = None  # protected namespace allowed


class AddParticipants(BaseModel):
    participants: list[Participant]
    notify: bool = True


class Role(enum.Enum):
    ADMIN = "admin"
    MEMBER = "member"


def test_base_model_config() -> None:
    p = Participant.model_validate({"user_id": "u", "role": "admin", "unknown": 1})
    assert p.user_id == "u" and p.model_extra == {"unknown": 1}
    assert Participant(userId="u", role="member").user_id == "u"


def test_build_request_model_drops_not_given() -> None:
    model = build_request_model(
        Participant, {"userId": "u1", "role": "admin", "profile": NOT_GIVEN}
    )
    assert model.model_fields_set == {"user_id", "role"}
    assert to_json_body(model) == {"userId": "u1", "role": "admin"}


def test_exclude_unset_nested_dict_input() -> None:
    model = build_request_model(
        AddParticipants,
        {
            "participants": [
                {
                    "userId": "u1",
                    "role": "member",
                    "profile": {"firstName": "Ann", "lastName": NOT_GIVEN},
                }
            ]
        },
    )
    assert to_json_body(model) == {
        "participants": [{"userId": "u1", "role": "member", "profile": {"firstName": "Ann"}}]
    }


def test_exclude_unset_nested_model_input() -> None:
    participant = Participant(user_id="u1", role="admin", profile=Profile(last_name="Lee"))
    model = build_request_model(AddParticipants, {"participants": [participant], "notify": False})
    assert to_json_body(model) == {
        "participants": [{"userId": "u1", "role": "admin", "profile": {"lastName": "Lee"}}],
        "notify": False,
    }


def test_explicit_none_is_sent_as_null() -> None:
    model = build_request_model(Participant, {"userId": "u", "role": "admin", "profile": None})
    assert to_json_body(model) == {"userId": "u", "role": "admin", "profile": None}


def test_request_validation_error_uses_python_names_and_allowed_values() -> None:
    with pytest.raises(RequestValidationError) as info:
        build_request_model(
            AddParticipants,
            {"participants": [{"userId": "u", "role": "owner", "profile": {"firstName": 3}}]},
        )
    message = str(info.value)
    assert "participants[0].role: Input should be 'admin' or 'member'" in message
    assert "participants[0].profile.first_name: Input should be a valid string" in message
    assert "owner" not in message.replace("'admin' or 'member'", "")
    assert ("participants[0].role", "Input should be 'admin' or 'member'") in info.value.errors
    assert info.value.__cause__ is None
    assert isinstance(info.value, ValueError)


def test_missing_required_field_named_by_python_name() -> None:
    with pytest.raises(RequestValidationError, match="user_id: Field required"):
        build_request_model(Participant, {"role": "admin"})


def test_validate_value() -> None:
    assert validate_value(Role, "admin", name="role") is Role.ADMIN
    assert validate_value(list[int], ["1", 2], name="ids") == [1, 2]
    with pytest.raises(RequestValidationError, match="role: Input should be 'admin' or 'member'"):
        validate_value(Role, "owner", name="role")
    with pytest.raises(RequestValidationError, match=r"ids\[1\]: Input should be a valid integer"):
        validate_value(list[int], [1, "x"], name="ids")
    assert type_adapter(Role) is type_adapter(Role)  # cached


def test_to_json_body_plain_values() -> None:
    when = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    uid = uuid.UUID(int=1)
    body = to_json_body(
        {"when": when, "id": uid, "role": Role.ADMIN, "items": (1, NOT_GIVEN), "skip": NOT_GIVEN}
    )
    assert body == {
        "when": "2025-01-02T03:04:05Z",
        "id": str(uid),
        "role": "admin",
        "items": [1],
    }
    assert to_json_body(None) is None
    assert to_json_body([Profile(first_name="A")]) == [{"firstName": "A"}]


def test_encode_json() -> None:
    assert encode_json({"a": "é", "b": [1, 2]}) == '{"a":"é","b":[1,2]}'.encode()
    with pytest.raises(RequestValidationError):
        encode_json({"x": float("inf")})
    with pytest.raises(RequestValidationError):
        encode_json({"x": object()})


class _Leaf(BaseModel):
    name: str | None = None
    note: str | None = None  # nullable in its schema: None may be sent


class _Tree(BaseModel):
    leaf: _Leaf | None = None
    leaves: list[_Leaf] | None = None


class _Branch(_Tree):
    extra: int | None = None


mark_non_nullable(_Leaf, "name")
mark_non_nullable(_Tree, "leaf")
mark_non_nullable(_Branch, "extra")


def test_the_marks_stay_out_of_the_class_and_its_repr() -> None:
    assert not any("non_nullable" in name for name in vars(_Leaf))
    assert "non_nullable" not in repr(_Leaf(name="x"))


def test_explicit_none_is_refused_for_non_nullable_fields_at_any_depth() -> None:
    with pytest.raises(RequestValidationError) as caught:
        build_request_model(
            _Tree, {"leaf": {"name": None}, "leaves": [{"note": None}, {"name": None}]}
        )
    assert [path for path, _ in caught.value.errors] == ["leaf.name", "leaves[1].name"]
    assert "must not be null" in str(caught.value)
    with pytest.raises(RequestValidationError, match="leaf: must not be null"):
        build_request_model(_Tree, {"leaf": None})


def test_none_is_allowed_where_nullable_and_absent_fields_are_fine() -> None:
    tree = build_request_model(_Tree, {"leaf": {"note": None}, "leaves": NOT_GIVEN})
    assert to_json_body(tree) == {"leaf": {"note": None}}


def test_non_nullable_fields_are_inherited() -> None:
    with pytest.raises(RequestValidationError) as caught:
        build_request_model(_Branch, {"leaf": None, "extra": None})
    assert sorted(path for path, _ in caught.value.errors) == ["extra", "leaf"]


def test_responses_stay_lenient_about_null() -> None:
    assert _Tree.model_validate({"leaf": None}).leaf is None


def test_to_dict_and_to_json_use_wire_names() -> None:
    """As openai-python's models: wire names, and only the fields that were set."""
    p = Participant.model_validate(
        {"userId": "u", "role": "admin", "profile": {"firstName": "Ada"}, "extra": 1}
    )
    assert p.to_dict() == {
        "userId": "u",
        "role": "admin",
        "profile": {"firstName": "Ada"},
        "extra": 1,
    }
    assert p.to_dict(use_api_names=False)["user_id"] == "u"
    assert p.to_json(indent=None) == (
        '{"userId":"u","role":"admin","profile":{"firstName":"Ada"},"extra":1}'
    )
    stamped = AddParticipants(participants=[p])
    assert stamped.to_dict(exclude_unset=False)["notify"] is True
    assert "notify" not in stamped.to_dict()
