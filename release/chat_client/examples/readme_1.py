from chat_client import ChatClient

client = ChatClient(server_variables={"tenant": "..."})  # credentials from the environment
add_chatroom_participant_result = client.iw_erp.add_chatroom_participant(
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
add_participant_result = client.mudbase.add_participant(
    project_id="proj_CfnX7BsdfLYx",
    chat_id="kcixd6QDZtbZO3Fe",
    user_id="usr_l6ZF362tQSr4nE",
    role="member",
)
