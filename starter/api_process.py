"""One API process of the dev stack, serving on the listening socket the stack holds.

The stack opens B2B_API_PORT once and hands the socket to each of its B2B_API_PROCESSES
processes (file descriptor B2B_API_FD): the kernel spreads connections over them, and the
port stays open while one of them restarts.
"""

from __future__ import annotations

import os
import socket

import uvicorn

from runtime.logging import configure_logging
from starter.api import create_app


def main() -> None:
    configure_logging()
    listening = socket.socket(fileno=int(os.environ["B2B_API_FD"]))
    config = uvicorn.Config(create_app(), log_config=None)
    uvicorn.Server(config).run(sockets=[listening])


if __name__ == "__main__":
    main()
