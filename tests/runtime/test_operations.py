"""The frozen descriptions of servers, security schemes and operations."""

from __future__ import annotations

import dataclasses

import pytest

from generator.runtime._operations import Operation, SecurityScheme, Server, ServerVariable
from tests.runtime.runtime_support import ClientErrorBody, DefaultErrorBody, ErrorBody


def make_op(**changes: object) -> Operation:
    fields: dict[str, object] = {
        "operation_id": "op",
        "method": "GET",
        "path": "/projects/{projectId}/chats/{chatId}",
        "servers": (),
        "security": (),
    }
    fields.update(changes)
    return Operation(**fields)  # type: ignore[arg-type]


def test_frozen_and_slotted() -> None:
    op = make_op()
    with pytest.raises(dataclasses.FrozenInstanceError):
        op.method = "POST"  # type: ignore[misc]
    assert not hasattr(op, "__dict__")
    assert hash(op) == hash(make_op(error_models={"400": ErrorBody}))


def test_path_param_names_and_flags() -> None:
    op = make_op()
    assert op.path_param_names == ("projectId", "chatId")
    assert op.is_idempotent and not op.requires_auth
    post = make_op(method="POST", security=(("jwt",),))
    assert not post.is_idempotent and post.requires_auth
    assert make_op(method="POST", idempotent=True).is_idempotent
    assert not make_op(security=(("jwt",), ())).requires_auth
    for method in ("PUT", "DELETE", "HEAD", "OPTIONS", "TRACE"):
        assert make_op(method=method).is_idempotent
    assert not make_op(method="PATCH").is_idempotent


def test_validation() -> None:
    with pytest.raises(ValueError, match="upper-case"):
        make_op(method="get")
    with pytest.raises(ValueError, match="start with"):
        make_op(path="items")
    with pytest.raises(ValueError, match="undeclared"):
        Server(url="https://{tenant}.x.invalid")
    with pytest.raises(ValueError):
        SecurityScheme("s", "http", "query", "x", "bearer", "s", "S")


def test_error_model_lookup() -> None:
    op = make_op(
        error_models={"404": ErrorBody, "4XX": ClientErrorBody, "default": DefaultErrorBody}
    )
    assert op.error_model_for(404) is ErrorBody
    assert op.error_model_for(400) is ClientErrorBody
    assert op.error_model_for(500) is DefaultErrorBody
    assert make_op(error_models={"5xx": ErrorBody}).error_model_for(503) is ErrorBody
    assert make_op().error_model_for(400) is None
    with pytest.raises(TypeError):
        op.error_models["500"] = ErrorBody  # type: ignore[index]


def test_server_variable_lookup() -> None:
    server = Server(
        url="https://{tenant}.x.invalid", variables=(ServerVariable("tenant", "demo", ("demo",)),)
    )
    assert server.variable("tenant") == ServerVariable("tenant", "demo", ("demo",))
    assert server.variable("other") is None


def test_named_error_models_are_imported_when_an_error_arrives() -> None:
    op = make_op(
        error_models={"404": "ErrorBody", "default": "DefaultErrorBody"},
        models_module="tests.runtime.runtime_support",
    )
    assert op.error_model_for(404) is ErrorBody
    assert op.error_model_for(500) is DefaultErrorBody
    with pytest.raises(AttributeError):
        make_op(error_models={"404": "Nope"}, models_module=op.models_module).error_model_for(404)
    with pytest.raises(TypeError, match="not a pydantic model"):
        make_op(error_models={"404": "pytest"}, models_module=__name__).error_model_for(404)
    with pytest.raises(ValueError, match="no models_module"):
        make_op(error_models={"404": "ErrorBody"}).error_model_for(404)
