"""Names from a spec become valid, unreserved Python identifiers."""

from __future__ import annotations

import keyword

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import naming


def test_awkward_names() -> None:
    assert naming.identifier("class") == "class_"
    assert naming.identifier("from") == "from_"
    assert naming.identifier("2fast") == "field_2fast"
    assert naming.identifier("with space") == "with_space"
    assert naming.identifier("addChatroomParticipant") == "add_chatroom_participant"
    assert naming.identifier("match") == "match_"  # soft keyword
    assert naming.identifier("") == "value"
    assert naming.identifier("json", reserved={"json"}) == "json_"
    assert naming.class_name("class") == "Class"
    assert naming.class_name("BaseModel") == "BaseModelModel"
    assert naming.class_name("2fast") == "Model2fast"
    assert naming.class_name("Operation") == "OperationModel"  # a resource module imports it
    assert naming.env_var_name("my_client", "apiKey_cookie") == "MY_CLIENT_API_KEY_COOKIE"


@given(st.text(), st.sets(st.text(min_size=1, max_size=8), max_size=5))
def test_identifier_is_always_valid_and_free(name: str, reserved: set[str]) -> None:
    result = naming.identifier(name, reserved=reserved)
    assert (
        result.isidentifier()
        and not keyword.iskeyword(result)
        and not keyword.issoftkeyword(result)
    )
    assert result not in reserved and not result.startswith("_") and result.isascii()


@given(st.text())
def test_class_name_is_always_valid(name: str) -> None:
    result = naming.class_name(name)
    assert (
        result.isidentifier() and result[0].isupper() and result not in naming.MODEL_MODULE_RESERVED
    )


@pytest.mark.parametrize(
    "value",
    [
        "replace-with-own-host",
        "REPLACE_ME",
        "<tenant>",
        "your-tenant",
        "YOUR_SUBDOMAIN",
        "api.your-company.com",
        "changeme",
        "change-me",
        "example",
        "api.example.com",
        "xxx",
        "XXXX",
        "placeholder",
        "TODO",
    ],
)
def test_placeholders_recognised(value: str) -> None:
    assert naming.looks_like_placeholder(value)


@pytest.mark.parametrize(
    "value",
    [
        "acme",
        "demo",
        "sandbox",
        "production",
        "us-east-1",
        "eu",
        "v1",
        "443",
        "localhost",
        "api.acme.io",
        "yourcompany",  # one word: could be a real name
        "examples",
        "counterexample",
        "x",
        "xylophone",
        "",
    ],
)
def test_real_values_are_not_placeholders(value: str) -> None:
    assert not naming.looks_like_placeholder(value)
