"""Raw responses and response models: ``with_raw_response``, unknown fields kept."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest
from chat_client import APIResponse, AsyncAPIResponse, RateLimitError
from chat_client.models import AddParticipantResponse, ChatroomParticipant, ParticipantEntry

from tests.generated.support import IW_TOKEN, MUDBASE_JWT, Flavor, mudbase_ok, participant_ok
from tests.runtime.runtime_support import HTTPTestServer, Reply


def make(flavor: Flavor, server: HTTPTestServer, **kwargs: object) -> object:
    kwargs.setdefault("iw_erp_session_token", IW_TOKEN)
    kwargs.setdefault("mudbase_jwt", MUDBASE_JWT)
    kwargs.setdefault("base_url", server.url)
    return flavor.client(**kwargs)


def test_raw_response_mudbase(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(
        Reply(
            json=mudbase_ok().json, headers={"X-Request-Id": "req-9", "X-RateLimit-Remaining": "4"}
        )
    )
    client = make(flavor, server)
    raw = flavor.run(
        client.mudbase.with_raw_response.add_participant(
            project_id="proj_1", chat_id="chat_1", user_id="usr_1", role="admin"
        )
    )
    assert isinstance(raw, AsyncAPIResponse if flavor.is_async else APIResponse)
    assert raw.status_code == 200
    assert raw.headers["x-request-id"] == "req-9"
    assert raw.headers["Content-Type"] == "application/json"
    assert raw.retries_taken == 0
    assert raw.method == "POST"
    assert raw.url.path == "/api/chat/projects/proj_1/chats/chat_1/participants"
    assert raw.json() == mudbase_ok().json
    parsed = flavor.run(raw.parse())
    assert isinstance(parsed, AddParticipantResponse)
    assert isinstance(parsed.data.participants[0].added_at, datetime)
    assert flavor.run(raw.parse()) is parsed  # cached
    assert raw.request_id == "req-9"
    assert "200" in repr(raw)
    assert server.last.json() == {"userId": "usr_1", "role": "admin"}


def test_raw_response_iw_erp(flavor: Flavor, server: HTTPTestServer) -> None:
    client = make(flavor, server)
    raw = flavor.run(
        client.iw_erp.with_raw_response.add_chatroom_participant(data={"first_name": "Ada"})
    )
    assert raw.status_code == 200
    participant = flavor.run(raw.parse())
    assert isinstance(participant, ChatroomParticipant)
    assert participant.first_name == "Ada"
    assert b'"first_name"' in raw.content and '"Ada"' in raw.text


def test_raw_response_counts_retries(
    flavor: Flavor, server: HTTPTestServer, sleeps: list[float]
) -> None:
    server.enqueue(Reply(status=429))
    client = make(flavor, server)
    raw = flavor.run(
        client.mudbase.with_raw_response.add_participant(project_id="p", chat_id="c", user_id="u")
    )
    assert raw.retries_taken == 1 and raw.status_code == 200


def test_raw_response_still_raises_for_errors(flavor: Flavor, server: HTTPTestServer) -> None:
    server.default = Reply(status=429, json={})
    client = make(flavor, server, max_retries=0)
    with pytest.raises(RateLimitError):
        flavor.run(
            client.mudbase.with_raw_response.add_participant(
                project_id="p", chat_id="c", user_id="u"
            )
        )


def test_raw_response_does_not_leak_into_normal_calls(
    flavor: Flavor, server: HTTPTestServer
) -> None:
    client = make(flavor, server)
    flavor.run(
        client.mudbase.with_raw_response.add_participant(project_id="p", chat_id="c", user_id="u")
    )
    normal = flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    assert isinstance(normal, AddParticipantResponse)


def test_raw_parse_of_invalid_body_raises_on_parse(flavor: Flavor, server: HTTPTestServer) -> None:
    from chat_client import APIResponseValidationError

    server.enqueue(Reply(body="nope", headers={"Content-Type": "application/json"}))
    client = make(flavor, server)
    raw = flavor.run(client.iw_erp.with_raw_response.add_chatroom_participant(data={}))
    assert raw.status_code == 200 and raw.text == "nope"
    with pytest.raises(APIResponseValidationError) as info:
        flavor.run(raw.parse())
    assert info.value.text == "nope"


# --------------------------------------------------------------------------- unknown fields


def test_message_count_read_is_parsed(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(participant_ok(message_count_read=12))
    client = make(flavor, server)
    participant = flavor.run(client.iw_erp.add_chatroom_participant(data={}))
    assert participant.message_count_read == 12


def test_unknown_fields_are_kept_everywhere(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(
        participant_ok(
            brand_new_field={"nested": [1, 2]},
            chatroom={"id": 7, "topic": "new in v2"},
            message_count_read=3,
        )
    )
    client = make(flavor, server)
    participant = flavor.run(client.iw_erp.add_chatroom_participant(data={}))
    assert participant.model_extra == {"brand_new_field": {"nested": [1, 2]}}
    assert participant.brand_new_field == {"nested": [1, 2]}
    assert participant.chatroom.model_extra == {"topic": "new in v2"}
    dumped = participant.model_dump(mode="json", by_alias=True, exclude_unset=True)
    assert dumped["brand_new_field"] == {"nested": [1, 2]}
    assert dumped["chatroom"]["topic"] == "new in v2"


def test_unknown_mudbase_fields_are_kept(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(
        Reply(
            json={
                "success": True,
                "meta": {"page": 1},
                "data": {
                    "chatId": "chat_1",
                    "participants": [
                        {
                            "userId": "u1",
                            "role": "owner",  # responses may use roles requests cannot
                            "addedAt": "2024-01-15T11:00:00.000Z",
                            "addedBy": "u0",
                        },
                        {},
                    ],
                },
            }
        )
    )
    client = make(flavor, server)
    result = flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    assert result.model_extra == {"meta": {"page": 1}}
    assert result.data.model_extra == {"chatId": "chat_1"}
    first, second = result.data.participants
    assert first.role == "owner"
    assert first.model_extra == {"addedBy": "u0"}
    assert second == ParticipantEntry()


def test_missing_optional_response_fields(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(Reply(json={}), Reply(json={}))
    client = make(flavor, server)
    result = flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    assert result.success is None and result.data is None
    participant = flavor.run(client.iw_erp.add_chatroom_participant(data={}))
    assert participant.id is None


def test_response_null_values(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(Reply(json={"id": None, "chatroom": None, "first_name": None}))
    client = make(flavor, server)
    participant = flavor.run(client.iw_erp.add_chatroom_participant(data={}))
    assert participant.id is None and participant.chatroom is None


def test_response_models_round_trip_into_requests(flavor: Flavor, server: HTTPTestServer) -> None:
    """A participant received from the API can be sent back as ``data``: only the
    fields the server returned are sent."""
    server.enqueue(participant_ok(extra_field="x"))
    client = make(flavor, server)
    participant = flavor.run(client.iw_erp.add_chatroom_participant(data={}))
    flavor.run(client.iw_erp.add_chatroom_participant(data=participant))
    sent = server.last.json()["data"]
    assert sent == {
        "id": 1001,
        "first_name": "Ada",
        "chatroom": {"id": 7, "name": "general"},
        "created": "2025-05-04T09:42:00Z",
        "extra_field": "x",
    }


def test_json_content_type_variants(flavor: Flavor, server: HTTPTestServer) -> None:
    server.enqueue(
        Reply(
            body=b'{"success": true}',
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
    )
    client = make(flavor, server)
    result = flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    assert result.success is True


def test_http_response_object_available(flavor: Flavor, server: HTTPTestServer) -> None:
    client = make(flavor, server)
    raw = flavor.run(client.iw_erp.with_raw_response.add_chatroom_participant(data={}))
    assert isinstance(raw.http_response, httpx.Response)
    assert raw.http_response.is_closed
