"""Themes: the accent colour, fonts, corner radius, light or dark, and extra CSS, given to
``rc.chat(theme=...)`` or in the ``[theme]`` table of a ``reactchat.toml`` beside the script. Every value is
checked before it becomes CSS (a colour must be a colour, a font a font name), so only the app's own extra CSS
is free text, and that is never put into HTML: the page links it as a stylesheet, or the browser sets it as a
style element's text."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reactchat.toml_file import load, path_beside

MODES = ("auto", "light", "dark")
KEYS = ("accent", "font", "mono_font", "radius", "mode", "css")
MAX_CSS = 200_000

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
# Functional colours: digits, units and separators only, so nothing can close the declaration.
_FUNCTION = re.compile(r"(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch)\((?:[0-9.%\s,/+-]|deg|turn|rad|none)*\)")
_NAMED = frozenset(
    """aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown
    burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue
    darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange
    darkorchid darkred darksalmon darkseagreen darkslateblue darkslategray darkslategrey darkturquoise
    darkviolet deeppink deepskyblue dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia
    gainsboro ghostwhite gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo
    ivory khaki lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan
    lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen lightskyblue
    lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen magenta maroon
    mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen mediumslateblue
    mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream mistyrose moccasin
    navajowhite navy oldlace olive olivedrab orange orangered orchid palegoldenrod palegreen
    paleturquoise palevioletred papayawhip peru pink plum powderblue purple rebeccapurple red rosybrown
    royalblue saddlebrown salmon sandybrown seagreen seashell sienna silver skyblue slateblue slategray
    slategrey snow springgreen steelblue tan teal thistle tomato turquoise violet wheat white whitesmoke
    yellow yellowgreen""".split()
)
# Named colours light enough to need dark text on them.
_LIGHT_NAMED = frozenset(
    """aqua aquamarine cyan gold greenyellow khaki lawngreen lime orange pink silver springgreen yellow
    yellowgreen white wheat""".split()
)
_FAMILY = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}")
_GENERIC = frozenset(
    "serif sans-serif monospace cursive fantasy system-ui ui-serif ui-sans-serif ui-monospace ui-rounded "
    "math emoji".split()
)
_LENGTH = re.compile(r"(?:\d{1,3}(?:\.\d{1,3})?)(?:px|rem|em)")


@dataclass(frozen=True)
class Theme:
    """A checked theme. Each field is CSS-safe except ``css``, the app's own stylesheet text.

    Attributes:
        accent: The accent colour (buttons, links, focus rings), or "".
        font, mono_font: CSS font-family lists (names quoted), or "".
        radius: The corner radius of bubbles as a CSS length (other corners follow it), or "".
        mode: ``"light"``, ``"dark"`` or ``"auto"`` (the system's choice).
        css: Extra CSS, added after reactchat's own.
    """

    accent: str = ""
    font: str = ""
    mono_font: str = ""
    radius: str = ""
    mode: str = "auto"
    css: str = ""

    @classmethod
    def parse(cls, values: Mapping[str, Any], where: str = "theme") -> Theme:
        """Check a theme's values (``accent``, ``font``, ``mono_font``, ``radius``, ``mode``, ``css``).

        Raises:
            ValueError, TypeError: naming ``where``, the key and the bad value.
        """
        if not isinstance(values, Mapping):
            raise TypeError(f"{where} must be a table of {', '.join(KEYS)}; got {values!r}")
        unknown = sorted(set(values) - set(KEYS))
        if unknown:
            raise ValueError(f"{where}: unknown key {unknown[0]!r}; a theme has {', '.join(KEYS)}")
        mode = values.get("mode", "auto")
        if mode not in MODES:
            raise ValueError(f"{where}.mode must be 'light', 'dark' or 'auto'; got {mode!r}")
        css = values.get("css", "")
        if not isinstance(css, str) or len(css) > MAX_CSS:
            raise TypeError(
                f"{where}.css must be a string of CSS (at most {MAX_CSS} characters); got {css!r:.80}"
            )
        return cls(
            accent=_colour(f"{where}.accent", values.get("accent")),
            font=_fonts(f"{where}.font", values.get("font")),
            mono_font=_fonts(f"{where}.mono_font", values.get("mono_font")),
            radius=_radius(f"{where}.radius", values.get("radius")),
            mode=mode,
            css=css,
        )

    def stylesheet(self) -> str:
        """The theme as CSS: its variables (with the root selector repeated so that they outweigh the
        stylesheet's light and dark rules), then the extra CSS."""
        decls = []
        if self.accent:
            decls += [f"--accent:{self.accent}", f"--accent-fg:{_text_on(self.accent)}"]
        if self.font:
            decls.append(f"--font:{self.font},var(--font-stack)")
        if self.mono_font:
            decls.append(f"--mono:{self.mono_font},var(--mono-stack)")
        if self.radius:
            decls.append(f"--radius:{self.radius}")
        head = ":root:root:root{" + ";".join(decls) + "}\n" if decls else ""
        return head + self.css

    def props(self) -> dict[str, str]:
        """The ``chat`` node's ``theme`` prop: the stylesheet and, unless ``auto``, the mode."""
        out = {"css": self.stylesheet()}
        if self.mode != "auto":
            out["mode"] = self.mode
        return out


def _colour(name: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    text = value.strip().lower() if isinstance(value, str) else None
    if text is not None and (_HEX.fullmatch(text) or _FUNCTION.fullmatch(text) or text in _NAMED):
        return text
    raise ValueError(
        f"{name} must be a colour: '#rrggbb', 'rgb(...)', 'hsl(...)' or a CSS colour name; got {value!r}"
    )


def _fonts(name: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, Sequence) or not all(isinstance(n, str) for n in names):
        raise TypeError(f"{name} must be a font name or a list of them; got {value!r}")
    out = []
    for raw in names:
        family = raw.strip().strip("\"'")
        if not _FAMILY.fullmatch(family):
            raise ValueError(
                f"{name}: {raw.strip()!r} is not a font name (letters, digits, spaces, '.', '_' and '-' only)"
            )
        out.append(family if family in _GENERIC else f'"{family}"')
    return ",".join(out)


def _radius(name: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 100:
        return f"{value:g}px"
    if isinstance(value, str) and _LENGTH.fullmatch(value.strip()):
        return value.strip()
    raise ValueError(f"{name} must be pixels (0 to 100) or a length like '12px' or '0.5rem'; got {value!r}")


def _text_on(colour: str) -> str:
    """White or near-black, whichever reads better on the colour (white where it cannot be worked out)."""
    rgb: tuple[float, ...] | None = None
    if colour.startswith("#"):
        digits = colour[1:4] if len(colour) in (4, 5) else colour[1:7]
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        rgb = tuple(int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    elif colour.startswith("rgb"):
        parts = re.split(r"[\s,/]+", colour[colour.index("(") + 1 : -1].strip())
        try:
            rgb = tuple(float(p[:-1]) / 100 if p.endswith("%") else float(p) / 255 for p in parts[:3])
        except ValueError:
            rgb = None
    elif colour in _LIGHT_NAMED:
        return "#111827"
    if rgb is None or len(rgb) != 3:
        return "#ffffff"
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    # Contrast against white vs against near-black (#111827, luminance ~0.012): pick the larger.
    return "#111827" if (luminance + 0.05) / 0.062 > 1.05 / (luminance + 0.05) else "#ffffff"


@dataclass(frozen=True)
class PageTheme:
    """The theme of ``reactchat.toml`` as the page serves it: its stylesheet, a version for the stylesheet's
    URL, and its mode."""

    css: str
    version: str
    mode: str


_cache: dict[str, tuple[float, PageTheme | None]] = {}


def page_theme(script_path: str) -> PageTheme | None:
    """The ``[theme]`` of the ``reactchat.toml`` beside the script, read again when the file changes; None
    without the file or the table.

    Raises:
        ValueError, TypeError: for a file that is not TOML or a theme with a bad value, naming the file.
    """
    path = path_beside(script_path)
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return None
    cached = _cache.get(path)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    table = load(path).get("theme")
    result = None
    if table is not None:
        theme = Theme.parse(table, f"{path} [theme]")
        css = theme.stylesheet()
        result = PageTheme(css, hashlib.sha256(css.encode()).hexdigest()[:12], theme.mode)
    _cache[path] = (mtime, result)
    return result
