"""A minimal, fast HTTP/1.1 server for the per-call benchmark (run as its own process).

``python _server.py`` binds 127.0.0.1 on a free port, prints the port on one line and then
answers every request (keep-alive, any method and path) with ``200`` and the Mudbase
``addParticipant`` example body. It stops by itself after ``--lifetime`` seconds, when the
process that started it is gone, or on SIGTERM. It is deliberately tiny (a raw asyncio protocol, no
framework) so that its own cost is small next to the clients being measured.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal

BODY = json.dumps(
    {
        "success": True,
        "data": {
            "participants": [
                {
                    "userId": "685acbe0e129932fbb7a0fc2",
                    "role": "member",
                    "addedAt": "2024-01-15T11:00:00.000Z",
                }
            ]
        },
    }
).encode()
RESPONSE = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
    + str(len(BODY)).encode()
    + b"\r\n\r\n"
    + BODY
)


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].lower()
            length = 0
            marker = head.find(b"content-length:")
            if marker >= 0:
                line_end = head.find(b"\r\n", marker)
                length = int(head[marker + 15 : line_end if line_end >= 0 else None].strip())
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            self.buffer = self.buffer[total:]
            assert self.transport is not None
            self.transport.write(RESPONSE)


async def _serve(lifetime: float) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Protocol, "127.0.0.1", 0, backlog=128)
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    parent = os.getppid()
    deadline = loop.time() + lifetime
    while not stop.is_set() and loop.time() < deadline and os.getppid() == parent:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=1.0)
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--lifetime", type=float, default=600.0, help="stop after this many seconds"
    )
    args = parser.parse_args()
    asyncio.run(_serve(args.lifetime))


if __name__ == "__main__":
    main()
