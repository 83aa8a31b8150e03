"""The generated client against an independent mock server built from our spec:
Stoplight Prism (``prism mock --errors``), which validates every request against
spec/chat.openapi.yaml.

Prism behaviour worth knowing (observed with @stoplight/prism-cli 5.x):

* Requests are matched on the path only; the path-level ``servers`` (the IW-ERP
  ``https://{tenant}.iw-erp.de`` template, Mudbase's hosts) are ignored, so the
  client must be pointed at Prism with ``base_url`` and ``server_variables`` cannot be
  checked by Prism (the MockTransport tests in test_servers.py cover them).
* With ``--errors`` an invalid request gets the operation's declared 400 response if
  there is one (Mudbase: the spec's ``MudbaseError`` example, plus an
  ``sl-violations`` header) and otherwise a generated ``422 application/problem+json``
  (IW-ERP declares no error responses).
* A missing credential gets the declared 401 example (Mudbase) or a generated
  ``401 application/problem+json`` (IW-ERP). Prism checks that the credential is
  present in the right place, not its value.
* ``Prefer: code=NNN`` makes Prism answer with the declared example for that status.
"""

from __future__ import annotations

import json

import httpx
import pytest
from chat_client import (
    AuthenticationError,
    BadRequestError,
    MissingCredentialError,
    RequestValidationError,
)
from chat_client.models import (
    AddParticipantResponse,
    Chatroom,
    ChatroomParticipant,
    MudbaseError,
)

from tests.generated.support import (
    IW_PATH,
    IW_TOKEN,
    MUDBASE_JWT,
    MUDBASE_PATH,
    Flavor,
    PrismServer,
)

pytestmark = pytest.mark.slow


def make(flavor: Flavor, prism: PrismServer, **kwargs: object) -> object:
    kwargs.setdefault("iw_erp_session_token", IW_TOKEN)
    kwargs.setdefault("mudbase_jwt", MUDBASE_JWT)
    kwargs.setdefault("base_url", prism.url)
    kwargs.setdefault("max_retries", 0)
    return flavor.client(**kwargs)


def assert_accepted(raw: object) -> None:
    """Prism answered 200 and reported no violation of the spec."""
    assert raw.status_code == 200, raw.text  # type: ignore[attr-defined]
    assert "sl-violations" not in raw.headers, raw.headers["sl-violations"]  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- accepted


def test_mudbase_request_passes_prism(flavor: Flavor, prism: PrismServer) -> None:
    client = make(flavor, prism)
    raw = flavor.run(
        client.mudbase.with_raw_response.add_participant(
            project_id="proj_CfnX7BsdfLYx",
            chat_id="kcixd6QDZtbZO3Fe",
            user_id="usr_1",
            role="member",
        )
    )
    assert_accepted(raw)
    result = flavor.run(raw.parse())
    assert isinstance(result, AddParticipantResponse)
    assert result.success is True
    entry = result.data.participants[0]
    assert entry.user_id == "685acbe0e129932fbb7a0fc2"  # the spec's example
    assert entry.added_at is not None and entry.added_at.year == 2024


@pytest.mark.parametrize(
    "kwargs",
    [
        {"project_id": "p", "chat_id": "c", "user_id": "u"},
        {"project_id": "p", "chat_id": "c", "user_id": "u", "role": "member"},
        {"project_id": "a b", "chat_id": "c/../x", "user_id": "ü", "role": "admin"},
    ],
    ids=["no-role", "role", "odd-path-values"],
)
def test_mudbase_variants_pass_prism(
    flavor: Flavor, prism: PrismServer, kwargs: dict[str, object]
) -> None:
    client = make(flavor, prism)
    raw = flavor.run(client.mudbase.with_raw_response.add_participant(**kwargs))
    assert_accepted(raw)
    assert isinstance(flavor.run(raw.parse()), AddParticipantResponse)


def test_iw_erp_request_passes_prism(flavor: Flavor, prism: PrismServer) -> None:
    client = make(flavor, prism, server_variables={"tenant": "acme"})
    raw = flavor.run(
        client.iw_erp.with_raw_response.add_chatroom_participant(
            data={"first_name": "Ada", "chatroom": {"id": 7}}
        )
    )
    assert_accepted(raw)
    participant = flavor.run(raw.parse())
    assert isinstance(participant, ChatroomParticipant)
    assert participant.id == 42 and participant.chatroom.id == 42  # the spec's example


def test_iw_erp_full_participant_passes_prism(flavor: Flavor, prism: PrismServer) -> None:
    """Every documented field, nested model and date-time, plus the query parameters."""
    client = make(flavor, prism)
    data = ChatroomParticipant(
        id=1,
        participant_type="user",
        chatroom=Chatroom(id=7, created="2025-05-04T09:42:00Z", deleted=False, name="general"),
        first_name="Ada",
        last_name="Lovelace",
        nickname="ada",
        preferred_color_hex="#ff0000",
        avatar_token="tok",
        last_read_at="2025-05-04T09:42:00+02:00",
        room_admin=True,
        can_write=True,
        is_muted=False,
        auto_created=False,
        auto_reply=False,
        ai_auto_close_secret_word="bye",
        ai_prompt="be nice",
        ai_number_of_context_messages=3,
        created="2025-05-04T09:42:00Z",
        updated="2025-05-04T09:42:00Z",
        deleted=False,
        name="Ada L.",
        image_url="https://example.invalid/a.png",
    )
    raw = flavor.run(
        client.iw_erp.with_raw_response.add_chatroom_participant(
            data=data, iw_build_id="b-1", iw_package_id="p-2"
        )
    )
    assert_accepted(raw)
    assert raw.request.url.params["iw-build-id"] == "b-1"
    sent = json.loads(raw.request.content)
    assert sent["data"]["chatroom"]["created"] == "2025-05-04T09:42:00Z"


# --------------------------------------------------------------------------- credentials


def test_prism_refuses_mudbase_call_without_credential(prism: PrismServer) -> None:
    response = httpx.post(
        f"{prism.url}{MUDBASE_PATH}", json={"userId": "u", "role": "member"}, timeout=10
    )
    assert response.status_code == 401
    body = MudbaseError.model_validate(response.json())  # the spec's 401 example
    assert body.code == "UNAUTHORIZED"


def test_prism_refuses_credential_of_the_other_vendor(prism: PrismServer) -> None:
    wrong = httpx.post(
        f"{prism.url}{MUDBASE_PATH}",
        json={"userId": "u"},
        headers={"x-session-token": IW_TOKEN},
        timeout=10,
    )
    assert wrong.status_code == 401
    wrong = httpx.post(
        f"{prism.url}{IW_PATH}",
        json={"data": {}},
        headers={"Authorization": f"Bearer {MUDBASE_JWT}"},
        timeout=10,
    )
    assert wrong.status_code == 401


def test_prism_refuses_iw_erp_call_without_credential(prism: PrismServer) -> None:
    response = httpx.post(f"{prism.url}{IW_PATH}", json={"data": {"first_name": "Ada"}}, timeout=10)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_client_refuses_before_prism_sees_anything(flavor: Flavor, prism: PrismServer) -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> None:
        sent.append(request)

    async def arecord(request: httpx.Request) -> None:
        sent.append(request)

    http_client = flavor.http_client(
        event_hooks={"request": [arecord if flavor.is_async else record]}
    )
    client = flavor.client(base_url=prism.url, http_client=http_client)
    with pytest.raises(MissingCredentialError, match="CHAT_CLIENT_MUDBASE_JWT"):
        flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    with pytest.raises(MissingCredentialError, match="CHAT_CLIENT_IW_ERP_SESSION_TOKEN"):
        flavor.run(client.iw_erp.add_chatroom_participant(data={}))
    client = flavor.client(mudbase_jwt=MUDBASE_JWT, base_url=prism.url, http_client=http_client)
    with pytest.raises(RequestValidationError, match="role"):
        flavor.run(
            client.mudbase.add_participant(
                project_id="p", chat_id="c", user_id="u", role="transmitter transmit"
            )
        )
    assert sent == []
    # the same client does reach Prism once the call is valid
    flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    assert len(sent) == 1
    flavor.run(http_client.aclose() if flavor.is_async else http_client.close())


# --------------------------------------------------------------------------- invalid requests


def test_prism_rejects_what_the_client_refuses(prism: PrismServer) -> None:
    """The client's own validation agrees with Prism: the bodies it refuses are
    invalid according to an independent validator too."""
    headers = {"Authorization": f"Bearer {MUDBASE_JWT}"}
    bad_role = httpx.post(
        f"{prism.url}{MUDBASE_PATH}",
        json={"userId": "u", "role": "transmitter transmit"},
        headers=headers,
        timeout=10,
    )
    assert bad_role.status_code == 400  # the declared 400 (MudbaseError example)
    violations = json.loads(bad_role.headers["sl-violations"])
    assert violations[0]["location"] == ["request", "body", "role"]
    assert MudbaseError.model_validate(bad_role.json()).code == "VALIDATION_ERROR"

    no_user = httpx.post(f"{prism.url}{MUDBASE_PATH}", json={}, headers=headers, timeout=10)
    assert no_user.status_code == 400
    assert "userId" in no_user.headers["sl-violations"]

    bad_type = httpx.post(
        f"{prism.url}{IW_PATH}",
        json={"data": {"id": "seven"}},
        headers={"x-session-token": IW_TOKEN},
        timeout=10,
    )
    assert bad_type.status_code == 422  # IW-ERP declares no 400: Prism's own 422
    assert bad_type.headers["content-type"].startswith("application/problem+json")


# --------------------------------------------------------------------------- errors


def test_declared_mudbase_errors_from_prism(flavor: Flavor, prism: PrismServer) -> None:
    client = make(flavor, prism, default_headers={"Prefer": "code=400"})
    with pytest.raises(BadRequestError) as info:
        flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    assert isinstance(info.value.body, MudbaseError)
    assert info.value.body.code == "VALIDATION_ERROR"
    assert info.value.body.request_id == "req_example_1"

    client = make(flavor, prism, default_headers={"Prefer": "code=401"})
    with pytest.raises(AuthenticationError) as auth:
        flavor.run(client.mudbase.add_participant(project_id="p", chat_id="c", user_id="u"))
    assert isinstance(auth.value.body, MudbaseError)
    assert auth.value.body.code == "UNAUTHORIZED"
    assert MUDBASE_JWT not in str(auth.value)


def test_explicit_none_role_passes_prism_or_is_refused(flavor: Flavor, prism: PrismServer) -> None:
    client = make(flavor, prism)
    try:
        raw = flavor.run(
            client.mudbase.with_raw_response.add_participant(
                project_id="p", chat_id="c", user_id="u", role=None
            )
        )
    except RequestValidationError:
        return
    assert_accepted(raw)
