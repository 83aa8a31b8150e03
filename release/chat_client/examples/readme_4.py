import httpx
from chat_client import ChatClient

client = ChatClient(timeout=20.0)
patient = client.with_options(timeout=httpx.Timeout(120.0, connect=2.0))
patient.iw_erp.add_chatroom_participant(
    data={
        "id": 42,
        "participant_type": "string",
        "chatroom": {
            "id": 42,
            "created": "2025-05-04T09:42:00Z",
            "updated": "2025-05-04T09:42:00Z",
        },
    }
)
