"""``reactchat.Client``: call a running ``chat_interface`` app from Python, whole or streamed."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

from reactchat.stream import Replace


class ClientError(RuntimeError):
    """The app answered with an error; the message is the app's."""


class Client:
    """A client for the HTTP API of a reactchat app.

        client = Client("http://127.0.0.1:8700")
        print(client.chat("Hello", Temperature=0.2))
        for piece in client.stream("Tell me a story"):
            print(piece, end="", flush=True)

    Args:
        url: The app's address.
        timeout: Seconds to wait for the server (for a stream: between pieces).
    """

    def __init__(self, url: str, *, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as err:
            try:
                message = json.loads(err.read())["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = err.reason
            raise ClientError(f"{err.code}: {message}") from None

    @staticmethod
    def _body(message: Any, history: list[dict[str, Any]] | None, inputs: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {"message": message, "history": history or []}
        if inputs:
            body["additional_inputs"] = inputs
        return body

    def chat(self, message: Any, history: list[dict[str, Any]] | None = None, **inputs: Any) -> str:
        """The app's reply to ``message`` (after ``history``), with additional inputs by key or label.

        Raises:
            ClientError: with the app's error message.
        """
        with self._post("/api/chat", self._body(message, history, inputs)) as response:
            return str(json.loads(response.read())["reply"])

    def stream(
        self, message: Any, history: list[dict[str, Any]] | None = None, **inputs: Any
    ) -> Iterator[str]:
        """The reply as it is produced: each item is the next piece of text (a ``Replace`` when the app
        rewrote what came before), so ``rc.write_stream(client.stream(...))`` shows it live.

        Raises:
            ClientError: with the app's error message.
        """
        with self._post("/api/chat/stream", self._body(message, history, inputs)) as response:
            event = ""
            for raw in response:
                line = raw.decode("utf-8").rstrip("\r\n")
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data = json.loads(line[5:])
                    if event == "delta":
                        yield Replace(data["delta"]) if data.get("replace") else data["delta"]
                    elif event == "error":
                        raise ClientError(data["error"]["message"])
                    elif event == "done":
                        return
