from __future__ import annotations

import io
import pathlib

import numpy as np
import pytest
from PIL import Image

from reactchat.media import MediaStore, png_from_array, sniff_mime, wav_from_array


def test_same_content_same_id_other_session_other_id() -> None:
    a, b = MediaStore(), MediaStore()
    first = a.add_bytes(b"hello", "text/plain")
    assert a.add_bytes(b"hello", "text/plain") == first
    assert b.add_bytes(b"hello", "text/plain").id != first.id  # keyed by a per-session secret
    assert a.key != b.key
    assert len(first.id) == 36 and a.url(first) == f"/_rc/media/{a.key}/{first.id}"


def test_paths_are_registered_not_read_and_a_changed_file_gets_a_new_id(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("one")
    store = MediaStore()
    entry = store.add_path(str(path))
    assert entry.data is None and entry.path == str(path) and entry.size == 3 and entry.mime == "text/plain"
    path.write_text("two!")
    assert store.add_path(str(path)).id != entry.id


def test_a_missing_path_names_it() -> None:
    with pytest.raises(FileNotFoundError, match=r"no such file: 'nope\.png'"):
        MediaStore().add_path("nope.png")


def test_memory_is_bounded_oldest_first() -> None:
    store = MediaStore(max_bytes=100)
    entries = [store.add_bytes(bytes([i]) * 40) for i in range(5)]
    assert [store.get(e.id) is not None for e in entries] == [False, False, False, True, True]
    store.keep(entries[0])
    assert store.get(entries[0].id) is not None


def test_entries_are_bounded_in_number() -> None:
    store = MediaStore(max_entries=3)
    entries = [store.add_bytes(bytes([i])) for i in range(5)]
    assert sum(store.get(e.id) is not None for e in entries) == 3


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (b"\x89PNG\r\n\x1a\n...", "image/png"),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"GIF89a", "image/gif"),
        (b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
        (b"plain", "application/octet-stream"),
    ],
)
def test_sniff(data: bytes, mime: str) -> None:
    assert sniff_mime(data) == mime


def test_png_from_arrays_decodes_back() -> None:
    rgb = np.zeros((4, 6, 3), dtype=np.uint8)
    rgb[1, 2] = (255, 10, 20)
    image = Image.open(io.BytesIO(png_from_array(rgb)))
    assert image.size == (6, 4) and image.getpixel((2, 1)) == (255, 10, 20)
    gray = Image.open(io.BytesIO(png_from_array(np.linspace(0, 1, 12).reshape(3, 4))))
    assert gray.mode == "L" and gray.getpixel((3, 2)) == 255
    with pytest.raises(ValueError, match=r"got shape \(2, 2, 2\)"):
        png_from_array(np.zeros((2, 2, 2)))


def test_wav_from_samples() -> None:
    import wave

    data = wav_from_array(np.sin(np.linspace(0, 100, 800)), 8000)
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()) == (8000, 1, 2, 800)
