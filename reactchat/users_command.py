"""``reactchat users add|passwd|remove|list`` for ``--auth password``: the users are kept in the app's store
(``--store URL``, or the default store of ``--app bot.py``), so every process serving the app shares them.

    reactchat users add alice --app bot.py              # asks for the password twice
    echo "$PASSWORD" | reactchat users add bob --password-stdin --store postgresql://...
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

__all__ = ["add_parser", "users"]


def add_parser(commands: Any) -> None:
    """Add ``users`` and its sub-commands to the CLI's sub-parsers."""
    parser = commands.add_parser("users", help="add, change, remove or list the users of --auth password")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, text in (
        ("add", "add a user (asks for the password)"),
        ("passwd", "change a user's password (signs them out everywhere)"),
        ("remove", "remove a user's password: they can no longer sign in (their conversations stay)"),
        ("signout", "sign a user out of every browser"),
        ("list", "list the users who can sign in with a password"),
    ):
        action = actions.add_parser(name, help=text)
        if name != "list":
            action.add_argument("name", help="the user name")
        if name in ("add", "passwd"):
            action.add_argument(
                "--password-stdin", action="store_true", help="read the password from standard input"
            )
        action.add_argument(
            "--store",
            metavar="URL",
            default=os.environ.get("REACTCHAT_STORE", ""),
            help="the app's store (default: $REACTCHAT_STORE)",
        )
        action.add_argument("--app", metavar="SCRIPT", help="the app whose default store to use (bot.py)")


def _fail(message: str, code: int = 2) -> int:
    print(f"reactchat: error: {message}", file=sys.stderr)
    return code


def _password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        print("reactchat: error: the passwords differ", file=sys.stderr)
        return None
    return first


def users(args: argparse.Namespace) -> int:
    """Run ``reactchat users ACTION``; the exit status."""
    from reactchat.passwords import hash_password, valid_name
    from reactchat.store import StoreError, default_url, open_store

    url = args.store or (default_url(args.app) if args.app else "")
    if not url:
        return _fail("name the app's store: --store URL, --app SCRIPT, or $REACTCHAT_STORE")
    if args.app and not args.store and not os.path.isfile(args.app):
        return _fail(f"script not found: {args.app}")
    name = getattr(args, "name", "")
    if args.action != "list":
        why = valid_name(name)
        if why:
            return _fail(why)
    try:
        with open_store(url) as store:
            identifier = f"password:{name}"
            found = store.account(identifier) if name else None
            exists = found is not None and found.password_hash is not None
            if args.action == "list":
                for account in sorted(store.users(), key=lambda u: u.identifier):
                    kept = store.account(account.identifier)
                    if account.provider == "password" and kept is not None and kept.password_hash:
                        print(account.identifier.split(":", 1)[1])
                return 0
            if args.action == "add" and exists:
                return _fail(f"user {name!r} exists: change their password with `reactchat users passwd`", 1)
            if args.action in ("passwd", "remove", "signout") and not exists:
                return _fail(f"no user {name!r}", 1)
            if args.action in ("add", "passwd"):
                password = _password(args.password_stdin)
                if password is None:
                    return 1
                try:
                    hashed = hash_password(password)
                except ValueError as error:
                    return _fail(str(error))
                store.set_password(identifier, hashed, name=name)
                print(f"reactchat: {'added' if args.action == 'add' else 'changed the password of'} {name}")
            elif args.action == "remove":
                store.set_password(identifier, None)
                print(f"reactchat: {name} can no longer sign in (their conversations are kept)")
            else:
                store.raise_epoch(identifier)
                print(f"reactchat: signed {name} out everywhere")
    except (StoreError, RuntimeError) as error:
        return _fail(str(error), 1)
    return 0
