"""Returning media from a chat function: an audio player and a file to download, both made in code.

Name an artist and the bot "plays" them a tone (a WAV generated with the `wave` module, its pitch picked
from the name) and hands over a set list as a CSV download. A reply can be a media element, a message
dict whose content is a list of parts, or a list of messages. Run it with
`reactchat run examples/audio_and_files.py`.
"""

import io
import math
import struct
import wave

import reactchat as rc


def tone(frequency: float, seconds: float = 1.0, rate: int = 16000) -> bytes:
    """A mono 16-bit WAV of a sine tone that fades out."""
    frames = int(seconds * rate)
    samples = (
        int(12000 * (1 - i / frames) * math.sin(2 * math.pi * frequency * i / rate)) for i in range(frames)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return buffer.getvalue()


def set_list(artist: str) -> bytes:
    rows = ["track,title,minutes"] + [f"{n},{artist} song {n},{3 + n % 2}" for n in range(1, 4)]
    return ("\n".join(rows) + "\n").encode()


def music(message: str, history: list[dict]):
    artist = message.strip()
    if not artist:
        return "Please provide the name of an artist."
    frequency = 220 + sum(map(ord, artist)) % 440
    playing = [f"Now playing **{artist}** ({frequency} Hz):", rc.audio(tone(frequency))]
    return [
        {"role": "assistant", "content": playing},  # a message dict with text and a player
        rc.file(set_list(artist), name="set-list.csv", mime="text/csv"),  # a media element on its own
    ]


rc.chat_interface(music, title="Music", input_placeholder="Which artist's music do you want to listen to?")
