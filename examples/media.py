"""Media in messages: images (file, generated), audio, a plot, a file to download and a gallery.

Run it with `reactchat run examples/media.py`; type "image", "audio", "plot", "file" or "gallery".
"""

import io
import math
import struct
import wave
import zlib

import reactchat as rc

rc.chat(title="Media", placeholder="Type **image**, **audio**, **plot**, **file** or **gallery**.")

if "history" not in rc.session_state:
    rc.session_state.history = []

rc.history(rc.session_state.history)


def gradient_png(width: int = 96, height: int = 64) -> bytes:
    """A small PNG made without any imaging library."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 160)) for x in range(width))
        for y in range(height)
    )

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def tone_wav(seconds: float = 1.0, rate: int = 16000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(
            b"".join(
                struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
                for i in range(int(seconds * rate))
            )
        )
    return buffer.getvalue()


def reply_for(prompt: str):
    word = prompt.strip().lower()
    if word == "image":
        return ["A generated gradient:", rc.image(gradient_png(), alt="a colour gradient", caption="96 x 64")]
    if word == "audio":
        return ["A 440 Hz tone:", rc.audio(tone_wav())]
    if word == "plot":
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            return "Install matplotlib to see a plot: `pip install matplotlib`."
        fig, ax = plt.subplots(figsize=(4, 2.5))
        ax.plot([math.sin(x / 5) for x in range(60)])
        ax.set_title("sin(x)")
        return ["A plot rendered on the server:", rc.plot(fig, alt="a sine wave")]
    if word == "file":
        return ["Here is a CSV:", rc.file(b"name,score\nada,10\nalan,9\n", name="scores.csv")]
    if word == "gallery":
        return rc.gallery([(gradient_png(48, 48), "small"), (gradient_png(96, 48), "wide")], columns=2)
    return "Type **image**, **audio**, **plot**, **file** or **gallery**."


if prompt := rc.chat_input("image, audio, plot, file or gallery"):
    reply = reply_for(prompt)
    rc.message("user", prompt)
    rc.message("assistant", reply)
    rc.session_state.history += [{"role": "user", "content": prompt}, {"role": "assistant", "content": reply}]
