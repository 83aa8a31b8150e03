from chat_client import ChatClient

client = ChatClient(max_retries=5)  # every call of this client
# with_options returns a copy (same connections, other options) for the calls it makes:
no_retries = client.with_options(max_retries=0)
no_retries.iw_erp.add_chatroom_participant(
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
