"""``reactchat nginx-config --workers N --port P [--listen HOST:PORT] [--server-name NAME] [--round-robin]``:
the nginx configuration that puts the N workers of ``reactchat run --workers N --port P`` (127.0.0.1, ports
P to P+N-1) behind one address.

What it prints goes inside nginx's ``http`` block (``map``\\ s, an ``upstream`` and a ``server``): on
Debian, save it as ``/etc/nginx/conf.d/reactchat.conf``, whose files the stock ``nginx.conf`` includes
there. Its names carry the first port, so two apps' files can sit side by side.

nginx (open source) has no sticky cookie: a browser is kept on one worker by hashing its reactchat cookie
(``hash ... consistent``, so a worker that goes away moves only its own browsers), and a first visit, which
has no cookie yet, goes anywhere (``$request_id``). A worker that does not answer is skipped for the next.
An upload goes to the worker holding the tab's session whatever the balancing: a session's token starts with
its worker's port (``Session.token``), which a ``map`` of the known ports turns into that worker's address.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from reactchat.auth import SESSION_COOKIE
from reactchat.config import Config
from reactchat.identity import COOKIE

__all__ = ["add_parser", "nginx_command", "nginx_config"]

_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+|\*)$")
_SERVER_NAME = re.compile(r"^(_|[A-Za-z0-9.-]+)$")

READ_TIMEOUT = "1h"
"""How long nginx waits on a worker that sends nothing: a WebSocket is pinged every 20 s, but a streamed or
whole HTTP API answer may think for minutes before its next byte."""


_PASSING = [
    "        # The Host with its port, which the workers check (and compare with a WebSocket's Origin).",
    "        proxy_set_header Host $http_host;",
    "        # Believed only from a --trusted-proxy: give the workers --trusted-proxy 127.0.0.1.",
    "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "        proxy_set_header X-Forwarded-Proto $scheme;",
    "        proxy_set_header X-Forwarded-Host $http_host;",
    "        # Streamed answers reach the browser as they are written; uploads reach the worker as they",
    "        # come, which caps and paces them itself.",
    "        proxy_buffering off;",
    "        proxy_request_buffering off;",
    "        proxy_connect_timeout 3s;",
    f"        proxy_read_timeout {READ_TIMEOUT};",
    f"        proxy_send_timeout {READ_TIMEOUT};",
]
"""What both locations pass on to a worker, and how."""


def _size(count: int) -> str:
    """``count`` bytes the way nginx writes sizes (``100m``)."""
    for unit, shift in (("g", 30), ("m", 20), ("k", 10)):
        if count % (1 << shift) == 0:
            return f"{count >> shift}{unit}"
    return str(count)


def check_listen(listen: str) -> str:
    """``listen`` (``PORT`` or ``HOST:PORT``), checked.

    Raises:
        ValueError: it is not a port or a host and a port; the message names it.
    """
    host, _, port = listen.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536 or (host and not _HOST.match(host)):
        raise ValueError(f"--listen takes PORT or HOST:PORT (e.g. 80 or 127.0.0.1:8080), got {listen!r}")
    return listen


def nginx_config(
    workers: int,
    port: int,
    *,
    listen: str = "80",
    server_name: str = "_",
    round_robin: bool = False,
    config: Config | None = None,
) -> str:
    """The configuration for nginx's ``http`` block that spreads requests over ``workers`` reactchat
    processes on 127.0.0.1, ports ``port`` to ``port + workers - 1``.

    Args:
        listen: Where nginx listens: ``PORT`` or ``HOST:PORT``.
        server_name: The name users reach the app by (``_``: any). The workers must accept it as a Host:
            ``--allowed-host NAME``.
        round_robin: Send each request to the next worker, keeping no browser on one worker.
        config: The workers' settings (the defaults of ``reactchat run``): the request body cap follows
            their upload cap.

    Raises:
        ValueError: a bad count, port, listen address or name; the message names it.
    """
    if workers < 1:
        raise ValueError(f"--workers must be at least 1, got {workers}")
    if not 0 < port < 65536 or port + workers - 1 > 65535:
        raise ValueError(f"--port {port} with --workers {workers} needs ports {port} to {port + workers - 1}")
    check_listen(listen)
    if not _SERVER_NAME.match(server_name):
        raise ValueError(f"--server-name takes one host name (e.g. chat.example.com), got {server_name!r}")
    config = config or Config()
    body = max(config.max_upload_bytes, config.max_api_body_bytes, config.max_message_bytes)
    name = f"reactchat_{port}"
    last = port + workers - 1
    allowed = f" --allowed-host {server_name}" if server_name != "_" else ""
    plural = "s" if workers > 1 else ""
    lines = [
        f"# reactchat behind nginx: {workers} worker{plural} on 127.0.0.1 ports {port}-{last}, started with",
        f"#   reactchat run bot.py --workers {workers} --port {port} --store postgresql://...{allowed}",
        "# This goes inside nginx's http block: on Debian, save it as /etc/nginx/conf.d/reactchat.conf,",
        "# then run `nginx -t` and reload nginx.",
        "",
    ]
    if not round_robin:
        key = f"$cookie_{SESSION_COOKIE}$cookie_{COOKIE}"
        lines += [
            "# A browser stays on one worker: the hash of its sign-in cookie, else of its anonymous visitor",
            "# cookie. A first visit has neither yet and goes anywhere (the page itself holds no state).",
            f'map "{key}" ${name}_affinity {{',
            '    ""      $request_id;',
            f'    default "{key}";',
            "}",
            "",
        ]
    lines += [
        "# The WebSocket (/_rc/ws) is an HTTP/1.1 upgrade: pass it on; anything else closes.",
        f"map $http_upgrade ${name}_connection {{",
        "    default upgrade;",
        '    ""      close;',
        "}",
        "",
        "# An upload belongs to the tab's session, which lives in one worker: the session's token",
        "# (X-Reactchat-Session) starts with that worker's port; only these ports are taken from it.",
        f"map $http_x_reactchat_session ${name}_upload {{",
        f"    default {name};",
        *(f'    "~^{p}\\." 127.0.0.1:{p};' for p in range(port, last + 1)),
        "}",
        "",
        f"upstream {name} {{",
    ]
    if not round_robin:
        lines.append(f"    hash ${name}_affinity consistent;")
    lines += [
        # A worker that refuses a connection is left alone for a few seconds, its browsers sent elsewhere.
        f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;"
        for p in range(port, last + 1)
    ]
    lines += [
        "}",
        "",
        "server {",
        f"    listen {listen};",
        f"    server_name {server_name};",
        f"    client_max_body_size {_size(body)};  # the largest upload a worker takes",
        "",
        "    location / {",
        f"        proxy_pass http://{name};",
        "        proxy_http_version 1.1;",
        "        proxy_set_header Upgrade $http_upgrade;",
        f"        proxy_set_header Connection ${name}_connection;",
        *_PASSING,
        "        # A worker that is down or restarting: the next one answers (nginx never resends a POST).",
        "        proxy_next_upstream error timeout http_502 http_503;",
        "    }",
        "",
        "    location /_rc/upload/ {",
        f"        proxy_pass http://${name}_upload;",
        "        proxy_http_version 1.1;",
        *_PASSING,
        "    }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def add_parser(commands: Any) -> None:
    """Add ``nginx-config`` to the CLI's sub-parsers."""
    parser = commands.add_parser(
        "nginx-config", help="print the nginx configuration for `reactchat run --workers N --port P`"
    )
    parser.add_argument("--workers", type=int, required=True, metavar="N", help="how many workers")
    parser.add_argument("--port", type=int, required=True, metavar="P", help="the first worker's port")
    parser.add_argument(
        "--listen", default="80", metavar="HOST:PORT", help="where nginx listens (default: 80)"
    )
    parser.add_argument(
        "--server-name",
        default="_",
        metavar="NAME",
        help="the name users reach the app by; serve the workers with --allowed-host NAME (default: any)",
    )
    parser.add_argument(
        "--round-robin",
        action="store_true",
        help="send each request to the next worker rather than keep a browser on one",
    )


def nginx_command(args: argparse.Namespace) -> int:
    """Run ``reactchat nginx-config``; the exit status."""
    try:
        text = nginx_config(
            args.workers, args.port, listen=args.listen, server_name=args.server_name,
            round_robin=args.round_robin,
        )  # fmt: skip
    except ValueError as error:
        print(f"reactchat: error: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0
