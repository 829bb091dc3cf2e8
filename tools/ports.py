"""Free TCP ports on 127.0.0.1 for the servers the tests and the hub's load test start."""
from __future__ import annotations

import socket

_GIVEN_PORTS: set[int] = set()


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now, never one already given out by this process (servers
    bind theirs only later, so the system could otherwise hand out one port twice)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port not in _GIVEN_PORTS:
            _GIVEN_PORTS.add(port)
            return port
