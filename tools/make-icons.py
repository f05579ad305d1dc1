#!/usr/bin/env python3
"""Draws the app icons (public/icons/*.png) with the standard library only.

A white house with a warm window on the theme green. Run it again after a
change of design; the PNGs are committed so builds need no image tools.
"""
import struct
import zlib
from pathlib import Path

GREEN = (31, 122, 92)
WHITE = (255, 255, 255)
WARM = (245, 166, 35)


def inside_house(x, y):
    """Shape test on the unit square; returns a colour or None."""
    if (x - 0.5) ** 2 + (y - 0.355) ** 2 <= 0.055 ** 2:
        return WARM  # round window in the gable
    # roof: triangle apex (0.5, 0.18), base y=0.46 from x=0.16 to 0.84
    if 0.18 <= y <= 0.46:
        half = (y - 0.18) / 0.28 * 0.34
        if abs(x - 0.5) <= half:
            return WHITE
    if 0.44 <= y <= 0.80 and 0.26 <= x <= 0.74:
        if 0.56 <= y <= 0.80 and 0.43 <= x <= 0.57:
            return GREEN  # door
        return WHITE
    return None


def render(size, maskable):
    rows = []
    ss = 4
    radius = 0.0 if maskable else 0.18
    scale = 0.72 if maskable else 1.0  # keep the drawing in the maskable safe zone
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(ss):
                for sx in range(ss):
                    u = (px + (sx + 0.5) / ss) / size
                    v = (py + (sy + 0.5) / ss) / size
                    # rounded-square background
                    cx = min(max(u, radius), 1 - radius)
                    cy = min(max(v, radius), 1 - radius)
                    if (u - cx) ** 2 + (v - cy) ** 2 > radius ** 2 + 1e-12:
                        continue
                    hx = (u - 0.5) / scale + 0.5
                    hy = (v - 0.5) / scale + 0.5
                    colour = inside_house(hx, hy) or GREEN
                    for i in range(3):
                        acc[i] += colour[i]
                    acc[3] += 255
            n = ss * ss
            a = acc[3] // n
            if a:
                cov = acc[3] / 255
                row += bytes([round(acc[0] / cov), round(acc[1] / cov), round(acc[2] / cov), a])
            else:
                row += bytes(4)
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(w, h, raw):
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    out = Path(__file__).resolve().parent.parent / "public" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        (out / f"icon-{size}.png").write_bytes(render(size, False))
        (out / f"maskable-{size}.png").write_bytes(render(size, True))
    (out / "apple-touch-icon.png").write_bytes(render(180, True))


if __name__ == "__main__":
    main()
