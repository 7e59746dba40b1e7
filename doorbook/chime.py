"""The panel's alert chime: a short two-tone WAV made here (no sound file to download)."""

from __future__ import annotations

import functools
import io
import math
import struct
import wave

RATE = 22050


@functools.cache
def wav() -> bytes:
    frames = bytearray()
    for frequency, seconds in ((880.0, 0.22), (0.0, 0.06), (660.0, 0.32)):
        count = int(RATE * seconds)
        for i in range(count):
            # A soft attack and decay, so it is clear but not harsh.
            envelope = min(1.0, i / (0.01 * RATE)) * min(1.0, (count - i) / (0.08 * RATE))
            sample = math.sin(2 * math.pi * frequency * i / RATE) * envelope * 0.6
            frames += struct.pack("<h", int(sample * 32767))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))
    return out.getvalue()
