"""``reactchat run SCRIPT [--host HOST] [--port PORT] [--no-watch] [--session-grace SECONDS]
[--max-memory SIZE] [--run-threads N] [--allowed-host NAME ...] [--store URL] [--log-level LEVEL]
[--auth MODE ...]`` (the sign-in flags: ``auth_settings``), ``reactchat hello`` (a tour, with the same
options), ``reactchat export --store URL [--conversation ID [--markdown]]``, ``reactchat import --store URL
[--owner IDENTIFIER] FILE``, ``reactchat users add|passwd|remove|signout|list`` (``users_command``),
``reactchat run --workers N`` (``supervisor``), ``reactchat nginx-config`` (``nginx_config``),
``reactchat version`` and ``reactchat --version``."""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import os
import signal
import sys
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from reactchat import __version__
from reactchat.auth_settings import add_arguments as add_auth_arguments
from reactchat.auth_settings import auth_settings, check_installed
from reactchat.config import Auth
from reactchat.nginx_config import add_parser as add_nginx_parser
from reactchat.nginx_config import nginx_command
from reactchat.supervisor import add_arguments as add_worker_arguments
from reactchat.supervisor import supervise
from reactchat.toml_file import load, path_beside
from reactchat.users_command import add_parser as add_users_parser
from reactchat.users_command import users

if TYPE_CHECKING:
    from reactchat.pool import Pool

RUN_THREADS = 100  # Config.run_threads' default
TOUR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tour", "hello.py")
"""The app ``reactchat hello`` serves, shipped in the package."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reactchat", description="Serve a chat app written as a script.")
    parser.add_argument("--version", action="version", version=f"reactchat {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="serve a script")
    run.add_argument("script", help="path to the app's .py file")
    add_worker_arguments(run)
    hello = commands.add_parser("hello", help="serve a tour of reactchat's main features")
    for command in (run, hello):
        command.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
        command.add_argument("--port", type=int, default=8700, help="TCP port (default: 8700)")
        command.add_argument("--no-watch", action="store_true", help="do not rerun when the script changes")
        command.add_argument(
            "--session-grace",
            type=float,
            default=120.0,
            metavar="SECONDS",
            help="how long a session outlives its closed tab before it is stopped and freed (default: 120)",
        )
        command.add_argument(
            "--max-memory",
            metavar="SIZE",
            help="stop running answers when the server's memory passes SIZE (e.g. 2GB; default: no limit)",
        )
        command.add_argument(
            "--run-threads",
            type=int,
            metavar="N",
            help="threads running scripts at once; more runs wait in line, their tabs told so (default:"
            f" $REACTCHAT_RUN_THREADS, else run_threads in reactchat.toml's [server], else {RUN_THREADS})",
        )
        command.add_argument(
            "--allowed-host",
            action="append",
            default=[],
            metavar="NAME",
            help="also answer requests whose Host is NAME (repeatable; e.g. the name a proxy forwards)."
            " Loopback names, this machine's names and the addresses it is reached at are always accepted",
        )
        command.add_argument(
            "--store",
            metavar="URL",
            default=os.environ.get("REACTCHAT_STORE", ""),
            help="where conversations are stored: memory, sqlite:///path.db or postgresql://... (default:"
            " $REACTCHAT_STORE, else .reactchat/<script>.db next to the script)",
        )
        command.add_argument(
            "--log-level",
            default="info",
            choices=("debug", "info", "warning", "error"),
            help="what the server logs: errors (a script's or a chat function's, with their traceback)"
            " always; info adds notices; debug adds every request (default: info)",
        )
        add_auth_arguments(command)
    export = commands.add_parser("export", help="write a store's conversations (or one) as JSON to stdout")
    export.add_argument("--conversation", metavar="ID", help="only this conversation")
    export.add_argument(
        "--markdown", action="store_true", help="the conversation's branch on screen as Markdown, not JSON"
    )
    load = commands.add_parser("import", help="load conversations from a JSON export into a store")
    load.add_argument("file", help="the export (- for stdin)")
    load.add_argument(
        "--owner",
        metavar="IDENTIFIER",
        help="give every conversation to this user (needed for a page's download, which names no owner)",
    )
    for command in (export, load):
        command.add_argument(
            "--store",
            metavar="URL",
            default=os.environ.get("REACTCHAT_STORE", ""),
            help="the store: sqlite:///path.db or postgresql://... (default: $REACTCHAT_STORE)",
        )
    add_users_parser(commands)
    add_nginx_parser(commands)
    commands.add_parser("version", help="print the version")
    return parser


def _fail(message: str, code: int = 2) -> int:
    print(f"reactchat: error: {message}", file=sys.stderr)
    return code


def log_to_terminal(level: str) -> None:
    """Send the server's log to stderr at ``level``: each error once, with its traceback. Tornado's access
    log (a line per request) shows at ``debug`` only."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("tornado.access").setLevel(logging.DEBUG if level == "debug" else logging.WARNING)


def run(
    script_path: str,
    host: str,
    port: int,
    watch: bool,
    session_grace: float = 120.0,
    max_memory: str | None = None,
    allowed_hosts: tuple[str, ...] = (),
    store_url: str = "",
    auth: Auth | None = None,
    run_threads: int = RUN_THREADS,
) -> int:
    from tornado.ioloop import IOLoop

    from reactchat.config import Config
    from reactchat.memory import parse_size, settle_collector
    from reactchat.runner import Script
    from reactchat.server import start
    from reactchat.store import StoreError, default_url, open_store
    from reactchat.watcher import Watcher

    if not os.path.isfile(script_path):
        return _fail(f"script not found: {script_path}")
    if not 0 < port < 65536:
        return _fail(f"--port must be between 1 and 65535, got {port}")
    if not session_grace > 0:
        return _fail(f"--session-grace must be a positive number of seconds, got {session_grace}")
    try:
        memory = parse_size(max_memory) if max_memory is not None else None
    except ValueError as exc:
        return _fail(f"--max-memory: {exc}")
    if run_threads < 1:
        return _fail(f"--run-threads must be at least 1, got {run_threads}")
    bad = [name for name in allowed_hosts if not name.strip() or "/" in name]
    if bad:
        return _fail(f"--allowed-host takes a host name (e.g. chat.example.com), got {bad[0]!r}")
    script = Script(script_path)
    try:
        script.load()
    except OSError as exc:
        return _fail(f"cannot read {script_path}: {exc.strerror}")
    sys.path.insert(0, os.path.dirname(script.path))
    config = Config(host=host, port=port, watch=watch, session_grace=session_grace, max_memory_bytes=memory,
                    allowed_hosts=allowed_hosts, store=store_url, auth=auth or Auth(),
                    run_threads=run_threads)  # fmt: skip
    try:
        store = open_store(store_url or default_url(script.path))
    except StoreError as exc:
        return _fail(f"cannot open the conversation store: {exc}", 1)
    # Answers a crash cut short: kept as far as they were shown, "interrupted". A supervisor's worker leaves
    # that to the supervisor, which does it before any worker streams.
    # Answers a crash cut short, kept as far as they were shown, become "interrupted"; not those of a
    # conversation whose lease lasts: another worker on the store is writing them.
    recovered = store.recover()
    if recovered:
        print(f"reactchat: {recovered} answers cut short by the last stop are marked interrupted", flush=True)
    try:
        app, server, port = start(script, config, store)
    except OSError as exc:
        store.close()
        if exc.errno == errno.EADDRINUSE:
            return _fail(f"port {port} on {host} is already in use; choose another with --port", 1)
        return _fail(f"cannot listen on {host}:{port}: {exc.strerror}", 1)
    settle_collector()
    watcher = Watcher(app) if watch else None
    if watcher is not None:
        watcher.start()
    shown = f"[{host}]" if ":" in host else host
    print(f"reactchat: serving {script_path} at http://{shown}:{port}", flush=True)
    if script.overlay is not None:
        print(f"reactchat: {script.overlay['message']} ({script.path}:{script.overlay['line']})", flush=True)
    loop = IOLoop.current()
    loop.add_callback(_fill_example_cache, app)
    # Off the loop, once runs pause: a thread that ends when done (a run that needs markdown first waits for
    # the import lock, never imports twice).
    warm = threading.Thread(target=_warm_up, args=(app.sessions.pool,), name="reactchat-warm-up", daemon=True)
    warm.start()

    def shut_down() -> None:
        if app.sessions.draining:  # asked again: stop the answers still running now
            loop.stop()
            return
        print("reactchat: shutting down", flush=True)
        server.stop()  # no new connections from here on
        running = app.sessions.running()
        if running:
            print(f"reactchat: letting {running} running answers finish (up to {config.drain_grace:g} s; "
                  "Ctrl-C again stops them)", flush=True)  # fmt: skip
        loop.add_callback(drain)

    async def drain() -> None:
        await app.sessions.drain(config.drain_grace)
        loop.stop()

    # SIGTERM is how systemd, Docker and Kubernetes stop a server: a clean shutdown, as Ctrl-C is.
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl-C still raises KeyboardInterrupt
            loop.asyncio_loop.add_signal_handler(signum, shut_down)  # type: ignore[attr-defined]
    try:
        loop.start()
    except KeyboardInterrupt:
        pass
    finally:
        if watcher is not None:
            watcher.stop()
        app.close(wait=config.stop_grace)  # stops runs and removes every session's uploaded files
    return 0


def export(store_url: str, conversation_id: str | None, as_markdown: bool = False) -> int:
    """Write an archive of the store (or one conversation) to stdout, or one conversation's branch on screen
    as Markdown; progress and errors go to stderr."""
    from reactchat.archive import store_markdown, write_store
    from reactchat.store import StoreError, open_store

    if not store_url:
        return _fail("export needs --store URL (or $REACTCHAT_STORE)")
    if as_markdown and conversation_id is None:
        return _fail("--markdown writes one conversation: give --conversation ID")
    try:
        with open_store(store_url) as store:
            if as_markdown and conversation_id is not None:
                sys.stdout.write(store_markdown(store, conversation_id))
                return 0
            count = write_store(store, sys.stdout, conversation_id=conversation_id)
    except (StoreError, LookupError) as exc:
        return _fail(str(exc).strip("'\""), 1)
    print(f"reactchat: exported {count} conversations", file=sys.stderr)
    return 0


def import_(store_url: str, path: str, owner: str | None) -> int:
    """Load an archive into the store; each conversation left out is named on stderr (exit status 1)."""
    import json

    from reactchat.archive import import_archive
    from reactchat.store import StoreError, open_store

    if not store_url:
        return _fail("import needs --store URL (or $REACTCHAT_STORE)")
    try:
        if path == "-":
            data = json.load(sys.stdin)
        else:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
    except OSError as exc:
        return _fail(f"cannot read {path}: {exc.strerror}")
    except ValueError as exc:
        return _fail(f"{path} is not JSON: {exc}")
    try:
        with open_store(store_url) as store:
            loaded, skipped = import_archive(
                store, data, owner=owner, report=lambda line: print(f"reactchat: {line}", file=sys.stderr)
            )
    except (StoreError, ValueError) as exc:
        return _fail(str(exc), 1)
    print(f"reactchat: imported {loaded} conversations" + (f", left out {skipped}" if skipped else ""),
          file=sys.stderr)  # fmt: skip
    return 1 if skipped else 0


def _warm_up(pool: Pool) -> None:
    from reactchat.renders import warm_up

    # Rendering's imports not beside the first runs of the tabs that reconnect after a restart.
    warm_up(lambda: pool.wait_quiet(0.3, timeout=5.0))


async def _fill_example_cache(app: Any) -> None:
    """Compute the answers of a ``cache_examples=True`` app's examples now (``cache_mode="eager"``), off the
    loop, printing a line per example; tabs are served meanwhile (an example clicked first is computed and
    kept then)."""
    import asyncio

    from reactchat.example_cache import ExampleCache
    from reactchat.runner import ScriptFailed

    try:
        interface = await app.sessions.chat_function()
    except ScriptFailed:
        return  # the page shows the error; the cache fills when the fixed script runs
    cache = app.script.registry.get(ExampleCache)
    if interface is None or cache is None or cache.lazy:
        return

    def say(text: str) -> None:
        print(f"reactchat: {text}", flush=True)

    filled = await asyncio.get_running_loop().run_in_executor(
        None, cache.fill, interface.call, say, interface.line
    )
    if filled:
        say(f"{len(cache)} example answers cached in {cache.path or 'memory'}")


def run_threads(flag: int | None, script_path: str, environ: Mapping[str, str] = os.environ) -> int:
    """``--run-threads``, else ``$REACTCHAT_RUN_THREADS``, else ``run_threads`` in the ``[server]`` table of
    the ``reactchat.toml`` beside the script, else 100.

    Raises:
        ValueError: a setting that is not a whole number, naming where it came from.
    """
    if flag is not None:
        return flag
    if environ.get("REACTCHAT_RUN_THREADS"):
        try:
            return int(environ["REACTCHAT_RUN_THREADS"])
        except ValueError:
            raise ValueError(
                f"REACTCHAT_RUN_THREADS must be a number, got {environ['REACTCHAT_RUN_THREADS']!r}"
            ) from None
    path = path_beside(script_path)
    try:
        table = load(path).get("server", {})
    except FileNotFoundError:
        return RUN_THREADS
    except OSError as error:
        raise ValueError(f"{path}: {error}") from None
    value = table.get("run_threads", RUN_THREADS) if isinstance(table, dict) else None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{path}: [server] run_threads must be a number, got {value!r}")
    return value


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    if args.command == "version":
        print(f"reactchat {__version__}")
        return 0
    if args.command == "export":
        return export(args.store, args.conversation, args.markdown)
    if args.command == "import":
        return import_(args.store, args.file, args.owner)
    if args.command == "users":
        return users(args)
    if args.command == "nginx-config":
        return nginx_command(args)
    log_to_terminal(args.log_level)
    script = args.script if args.command == "run" else TOUR
    try:
        auth = auth_settings(args, script)
        check_installed(auth)
        threads = run_threads(args.run_threads, script)
    except (ValueError, RuntimeError) as exc:
        return _fail(str(exc))
    if auth.mode != "none" and args.store == "memory":
        print("reactchat: the users and their sign-ins are kept in memory: they go with this process",
              file=sys.stderr)  # fmt: skip
    if args.command == "hello" and not args.store:
        args.store = "memory"  # the tour's folder may be read-only (site-packages); its chats are not kept
    if args.command == "run" and args.workers != 1:
        return supervise(args, argv)
    return run(
        script, args.host, args.port, not args.no_watch, args.session_grace, args.max_memory,
        tuple(args.allowed_host), args.store, auth, threads,
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
