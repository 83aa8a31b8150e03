"""Per-call overhead of the generated chat client against raw ``httpx`` (run as its own process).

``python _calls.py --url http://127.0.0.1:PORT --calls N --rounds R`` sends the Mudbase
``addParticipant`` request N times per variant and round, one call after the other, to the
local server of ``_server.py``, and prints one JSON object: microseconds per call for each
variant and round. Variants:

* ``raw_sync`` / ``raw_async``: ``httpx.Client.post`` / ``httpx.AsyncClient.post`` with the same
  path, JSON body and bearer header, then ``json.loads`` of the body;
* ``ours_sync`` / ``ours_async``: ``client.mudbase.add_participant(...)`` of the generated
  ``chat_client`` (``ChatClient`` / ``AsyncChatClient`` with ``base_url`` and ``mudbase_jwt``);
* ``peer_sync`` / ``peer_async`` (only with ``--peer-src``): the same operation of the package
  openapi-python-client generated from the chat spec (``add_participant.sync(...)``).

Within a round the variants run in an order that rotates from round to round; each variant
is warmed up before the first round.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

PATH = "/api/chat/projects/proj_1/chats/chat_1/participants"
#: why an optional variant could not run
ERRORS: dict[str, str] = {}
PAYLOAD = {"userId": "685acbe0e129932fbb7a0fc2", "role": "member"}
TOKEN = "bench-token"


def _sync_variants(
    url: str, peer: str | None
) -> dict[str, tuple[Callable[[], Any], Callable[[], None]]]:
    from chat_client import ChatClient

    raw = httpx.Client(base_url=url)
    headers = {"Authorization": f"Bearer {TOKEN}"}

    def raw_call() -> Any:
        return json.loads(raw.post(PATH, json=PAYLOAD, headers=headers).content)

    ours = ChatClient(base_url=url, mudbase_jwt=TOKEN, max_retries=0)

    def ours_call() -> Any:
        return ours.mudbase.add_participant(
            project_id="proj_1", chat_id="chat_1", user_id=PAYLOAD["userId"], role="member"
        )

    variants = {"raw_sync": (raw_call, raw.close), "ours_sync": (ours_call, ours.close)}
    if peer:
        try:
            variants["peer_sync"] = _peer_sync(url, peer)
        except Exception as exc:  # the peer's package is optional: record why it is missing
            ERRORS["peer_sync"] = f"{type(exc).__name__}: {exc}"
    return variants


def _peer_sync(url: str, peer: str) -> tuple[Callable[[], Any], Callable[[], None]]:
    client_mod = importlib.import_module(f"{peer}.client")
    op = importlib.import_module(f"{peer}.api.mudbase.add_participant")
    request_mod = importlib.import_module(f"{peer}.models.add_participant_request")
    peer_client = client_mod.AuthenticatedClient(base_url=url, token=TOKEN)
    body = request_mod.AddParticipantRequest.from_dict(PAYLOAD)

    def peer_call() -> Any:
        result = op.sync(project_id="proj_1", chat_id="chat_1", client=peer_client, body=body)
        if result is None:
            raise RuntimeError("the peer's client returned None")
        return result

    peer_call()
    return peer_call, lambda: peer_client.get_httpx_client().close()


def _async_variants(
    url: str, peer: str | None
) -> dict[str, tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[None]]]]:
    from chat_client import AsyncChatClient

    raw = httpx.AsyncClient(base_url=url)
    headers = {"Authorization": f"Bearer {TOKEN}"}

    async def raw_call() -> Any:
        return json.loads((await raw.post(PATH, json=PAYLOAD, headers=headers)).content)

    ours = AsyncChatClient(base_url=url, mudbase_jwt=TOKEN, max_retries=0)

    async def ours_call() -> Any:
        return await ours.mudbase.add_participant(
            project_id="proj_1", chat_id="chat_1", user_id=PAYLOAD["userId"], role="member"
        )

    variants: dict[str, tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[None]]]] = {
        "raw_async": (raw_call, raw.aclose),
        "ours_async": (ours_call, ours.close),
    }
    if peer and "peer_sync" not in ERRORS:
        client_mod = importlib.import_module(f"{peer}.client")
        op = importlib.import_module(f"{peer}.api.mudbase.add_participant")
        request_mod = importlib.import_module(f"{peer}.models.add_participant_request")
        peer_client = client_mod.AuthenticatedClient(base_url=url, token=TOKEN)
        body = request_mod.AddParticipantRequest.from_dict(PAYLOAD)

        async def peer_call() -> Any:
            return await op.asyncio(
                project_id="proj_1", chat_id="chat_1", client=peer_client, body=body
            )

        async def peer_close() -> None:
            await peer_client.get_async_httpx_client().aclose()

        variants["peer_async"] = (peer_call, peer_close)
    return variants


def _rotate(names: list[str], round_no: int) -> list[str]:
    shift = round_no % len(names)
    return names[shift:] + names[:shift]


def run_sync(
    url: str, calls: int, rounds: int, warmup: int, peer: str | None
) -> dict[str, list[float]]:
    variants = _sync_variants(url, peer)
    results: dict[str, list[float]] = {name: [] for name in variants}
    for call, _ in variants.values():
        for _ in range(warmup):
            call()
    for round_no in range(rounds):
        for name in _rotate(list(variants), round_no):
            call = variants[name][0]
            start = time.perf_counter()
            for _ in range(calls):
                call()
            results[name].append((time.perf_counter() - start) / calls * 1e6)
    for _, close in variants.values():
        close()
    return results


async def run_async(
    url: str, calls: int, rounds: int, warmup: int, peer: str | None
) -> dict[str, list[float]]:
    variants = _async_variants(url, peer)
    results: dict[str, list[float]] = {name: [] for name in variants}
    for call, _ in variants.values():
        for _ in range(warmup):
            await call()
    for round_no in range(rounds):
        for name in _rotate(list(variants), round_no):
            call = variants[name][0]
            start = time.perf_counter()
            for _ in range(calls):
                await call()
            results[name].append((time.perf_counter() - start) / calls * 1e6)
    for _, close in variants.values():
        await close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--calls", type=int, default=2000, help="calls per variant and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument(
        "--chat-src", type=Path, help="folder holding the generated chat_client package"
    )
    parser.add_argument("--peer-src", type=Path, help="folder holding the peer's chat package")
    parser.add_argument("--peer-package", help="import name of the peer's chat package")
    args = parser.parse_args()
    if args.chat_src:
        sys.path.insert(0, str(args.chat_src))
    peer = None
    if args.peer_src and args.peer_package:
        sys.path.insert(0, str(args.peer_src))
        peer = args.peer_package
    results: dict[str, Any] = {"us_per_call": {}}
    results["us_per_call"].update(run_sync(args.url, args.calls, args.rounds, args.warmup, peer))
    results["us_per_call"].update(
        asyncio.run(run_async(args.url, args.calls, args.rounds, args.warmup, peer))
    )
    if ERRORS:
        results["errors"] = ERRORS
    print(json.dumps(results))


if __name__ == "__main__":
    main()
