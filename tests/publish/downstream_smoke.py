"""A downstream user's first script: import the installed ``chat_client`` and call both operations.

Run by ``tests/test_publish.py`` with the Python of a fresh virtual environment into which
``chat-client`` was installed from the local package index, from a folder outside the repository:

    python -I downstream_smoke.py BASE_URL IW_ERP_SESSION_TOKEN MUDBASE_JWT

It prints one JSON object on its last line: where the package was imported from, its installed
version and the parsed values of both responses (with their Python types), so that the test can
check that the responses became typed models (``datetime``, ``int``, nested models).
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
from typing import Any


def main(argv: list[str]) -> int:
    base_url, iw_erp_token, mudbase_jwt = argv

    import chat_client
    from chat_client import ChatClient

    with ChatClient(
        iw_erp_session_token=iw_erp_token,
        mudbase_jwt=mudbase_jwt,
        server_variables={"tenant": "acme"},
        base_url=base_url,
        timeout=10.0,
        max_retries=0,
    ) as client:
        participant = client.iw_erp.add_chatroom_participant(
            data={"first_name": "Ada", "chatroom": {"id": 7}}
        )
        result = client.mudbase.add_participant(
            project_id="proj_1", chat_id="chat_1", user_id="usr_1", role="member"
        )

    assert result.data is not None and result.data.participants
    entry = result.data.participants[0]
    chatroom = participant.chatroom
    report: dict[str, Any] = {
        "module_file": chat_client.__file__,
        "version": importlib.metadata.version("chat-client"),
        "sys_prefix": sys.prefix,
        "iw_erp": {
            "model": type(participant).__name__,
            "id": participant.id,
            "first_name": participant.first_name,
            "chatroom_model": type(chatroom).__name__,
            "chatroom_id": chatroom.id if chatroom is not None else None,
            "created_type": type(participant.created).__name__,
            "created": participant.created.isoformat() if participant.created else None,
        },
        "mudbase": {
            "model": type(result).__name__,
            "success": result.success,
            "entry_model": type(entry).__name__,
            "user_id": entry.user_id,
            "role": entry.role,
            "added_at_type": type(entry.added_at).__name__,
            "added_at": entry.added_at.isoformat() if entry.added_at else None,
        },
    }
    print(f"IW-ERP participant: {participant!r}")
    print(f"Mudbase result: {result!r}")
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
