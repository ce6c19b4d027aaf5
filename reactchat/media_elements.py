"""The media elements a script makes: ``rc.image``, ``rc.audio``, ``rc.video``, ``rc.file``, ``rc.html``,
``rc.gallery`` and ``rc.plot``; each shows where it is made, or in a message that takes it as content."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from reactchat.elements import Element, Pending, Rendering, begin, media_element, resolve
from reactchat.media import wav_from_array
from reactchat.sanitizer import sanitize

if TYPE_CHECKING:
    from reactchat.run import Run


def image(
    source: Any,
    *,
    alt: str | None = None,
    caption: str | None = None,
    width: int | None = None,
    height: int | None = None,
    key: str | None = None,
) -> Element:
    """An image: a file path, an http(s) URL, bytes, a PIL image, a numpy array (H x W [x 3|4]) or a
    matplotlib figure. Shown where it is made, or inside a message when passed as its content.

    Raises:
        FileNotFoundError: for a path that is not a file. TypeError: for an unsupported source.
    """
    run = begin()
    props = {"alt": alt, "caption": caption, "width": width, "height": height}
    return _pending(run, media_element("image", resolve(run, source), props, key))


def audio(
    source: Any, *, sample_rate: int | None = None, autoplay: bool = False, key: str | None = None
) -> Element:
    """Audio with player controls: a path, URL or bytes, or a numpy array of samples with ``sample_rate``."""
    run = begin()
    if sample_rate is not None:
        source = wav_from_array(source, sample_rate)
    props = {"autoplay": autoplay or None}
    return _pending(run, media_element("audio", resolve(run, source, mime=None), props, key))


def video(source: Any, *, autoplay: bool = False, key: str | None = None) -> Element:
    """A video with player controls: a path, an http(s) URL or bytes."""
    run = begin()
    return _pending(run, media_element("video", resolve(run, source), {"autoplay": autoplay or None}, key))


def file(source: Any, *, name: str | None = None, mime: str | None = None, key: str | None = None) -> Element:
    """A download link showing the file's name and size: a path, an http(s) URL or bytes (give ``name``)."""
    run = begin()
    return _pending(run, media_element("file", resolve(run, source, mime=mime, name=name), {}, key))


def html(content: str, *, key: str | None = None) -> Element:
    """HTML, sanitised: scripts, event handlers, styles sheets and unsafe URLs are removed."""
    run = begin()
    if not isinstance(content, str):
        raise TypeError(f"rc.html() takes a str; got {type(content).__name__}")
    allowed = run.part(Rendering).markdown.allow_tags
    return _pending(run, Element("html", {"html": sanitize(content, allowed)}, key))


def gallery(items: Iterable[Any], *, columns: int | None = None, key: str | None = None) -> Element:
    """A grid of images. Each item is an image source, a ``(source, caption)`` pair, or a dict
    ``{"image": source, "caption"?, "alt"?}``."""
    run = begin()
    shown: list[dict[str, Any]] = []
    entries = []
    for item in items:
        caption = alt = None
        if isinstance(item, tuple) and len(item) == 2:
            item, caption = item
        elif isinstance(item, Mapping):
            item, caption, alt = item.get("image", item.get("path")), item.get("caption"), item.get("alt")
        source = resolve(run, item)
        if source.entry is not None:
            entries.append(source.entry)
        shown.append({k: v for k, v in (("src", source.url), ("caption", caption), ("alt", alt)) if v})
    props: dict[str, Any] = {"items": shown}
    if columns is not None:
        props["columns"] = int(columns)
    return _pending(run, Element("gallery", props, key, tuple(entries)))


def plot(
    figure: Any, *, alt: str | None = None, caption: str | None = None, key: str | None = None
) -> Element:
    """A matplotlib figure, rendered to PNG on the server (matplotlib is not a dependency of reactchat)."""
    if not hasattr(figure, "savefig"):
        raise TypeError(f"rc.plot() takes a matplotlib figure; got {type(figure).__name__}")
    return image(figure, alt=alt, caption=caption, key=key)


def _pending(run: Run, element: Element) -> Element:
    run.part(Pending).append(element)
    return element
