"""The bench's HTTP clients: keep-alive HTTP/1.1 connections that write each request as bytes and read
the answer by its Content-Length (the portal always sends one: the lane, or CommonMiddleware). The
clients share the machine with the portal, so they are kept lean: http.client parsed every answer's
headers with the email package.

The closed loop (each client sends its next request once answered) runs the clients as coroutines on
one thread: 32 threads in one process contend for its GIL, and an answer that had arrived waited for
its thread to be scheduled before its time was taken, inflating the latency measured. Threads remain
for the open loop (`--rate`) and the crash runs.
"""

import asyncio
import contextlib
import socket
import time
from collections.abc import Callable, Sequence


def _head(port: int, path: str, key: str, body: bytes) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Api-Key {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()


def _answer(head: bytes) -> tuple[int, int, bool]:
    """The status, Content-Length and whether the server closes the connection, from an answer's head."""
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    fields = {k.strip().lower(): v.strip() for k, _c, v in (line.partition(b":") for line in lines[1:])}
    if b"content-length" not in fields:
        raise RuntimeError(f"an answer without Content-Length: {lines[0]!r}")
    return status, int(fields[b"content-length"]), fields.get(b"connection", b"").lower() == b"close"


class Connection:
    """One client's keep-alive HTTP/1.1 connection, requests written as bytes and answers read by their
    Content-Length (the portal always sends one). http.client parses every answer's headers with the email
    package: on this machine the clients would take CPU the portal needs, as real partners on their own
    machines do not."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock: socket.socket | None = None
        self.buffer = b""

    def post(self, path: str, key: str, body: bytes) -> int:
        head = _head(self.port, path, key, body)
        for attempt in range(2):
            try:
                return self._exchange(head + body)
            except (ConnectionError, TimeoutError, OSError):
                self.close()  # the server closed an idle connection: once more on a new one
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _exchange(self, request: bytes) -> int:
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=120)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buffer = b""
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self._receive()
        head, _sep, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status, length, closes = _answer(head)
        while len(self.buffer) < length:
            self._receive()
        self.buffer = self.buffer[length:]
        if closes:
            self.close()
        return status

    def _receive(self) -> None:
        assert self.sock is not None
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed by the server")
        self.buffer += chunk

    def close(self) -> None:
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
        self.sock = None


def post(port: int, path: str, key: str, body: bytes, connections: dict, timings: list | None = None) -> int:
    """POST one request on this thread's connection; (sent at, seconds) appended to `timings`."""
    import threading

    sent = time.time()
    ident = threading.get_ident()
    conn = connections.get(ident)
    if conn is None:
        conn = connections[ident] = Connection(port)
    status = conn.post(path, key, body)
    if timings is not None:
        timings.append((sent, time.time() - sent))
    return status


def send_closed_loop(
    port: int,
    requests: Sequence[tuple[str, str, bytes]],
    clients: int,
    on_send: Callable[[int], None],
) -> tuple[list[int], list[tuple[float, float]]]:
    """Send `requests` in order from `clients` coroutines, each on its own connection sending its next
    request once answered; returns each request's status and (sent at, seconds) of each. `on_send(i)`
    is called as request i leaves."""
    statuses = [0] * len(requests)
    timings: list[tuple[float, float]] = []
    heads = [_head(port, path, key, body) + body for path, key, body in requests]
    following = iter(range(len(requests)))

    async def client() -> None:
        reader = writer = None
        for index in following:
            for attempt in range(2):
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection("127.0.0.1", port)
                        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    assert reader is not None
                    on_send(index)
                    sent = time.time()
                    writer.write(heads[index])
                    status, length, closes = _answer((await reader.readuntil(b"\r\n\r\n"))[:-4])
                    await reader.readexactly(length)
                    timings.append((sent, time.time() - sent))
                    statuses[index] = status
                    if closes:
                        writer.close()
                        reader = writer = None
                    break
                except (ConnectionError, asyncio.IncompleteReadError, OSError):
                    if writer is not None:
                        writer.close()
                    reader = writer = None  # the server closed an idle connection: once more on a new one
                    if attempt:
                        raise
        if writer is not None:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    async def all_clients() -> None:
        await asyncio.gather(*(client() for _ in range(clients)))

    asyncio.run(all_clients())
    return statuses, timings
