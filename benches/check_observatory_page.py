"""Checks what headless Chromium made of `GET /observatory` (called by .ci/observatory-page).

Reads the screenshot (PNG, decoded here with the standard library) and the DOM Chromium built, and
fails unless the page looks as intended: the map drawn (EPCI areas in at least three shades of the
legend, the "no loan" colour, venues and depots), the yearly charts and tables present, and no
horizontal overflow of the 1280 px window. Prints what it measured.
"""

import re
import struct
import sys
import zlib

SHADES = ["#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"]
NO_LOAN = "#fde0dd"
VENUE = "#1b7837"
DEPOT = "#d95f02"


def rgb(hex_colour):
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def read_png(path):
    """(width, height, rows of RGB tuples) of an 8-bit RGB or RGBA, non-interlaced PNG."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous, i = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[i], bytearray(raw[i + 1 : i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + b) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 0xFF
        rows.append(line)
        previous = line
    return width, height, channels, rows


def main(png_path, dom_path):
    width, height, channels, rows = read_png(png_path)
    counts = {}
    for line in rows:
        for x in range(0, len(line), channels):
            key = (line[x], line[x + 1], line[x + 2])
            counts[key] = counts.get(key, 0) + 1
    total = width * height

    def near(colour, tolerance=3):
        r, g, b = rgb(colour)
        return sum(
            n
            for (cr, cg, cb), n in counts.items()
            if abs(cr - r) <= tolerance and abs(cg - g) <= tolerance and abs(cb - b) <= tolerance
        )

    # Overflow: the page keeps margins, so the rightmost 16 px columns stay background from top
    # to bottom unless something (a wide table) runs past the window.
    background = rows[0][0:3]
    overflow_rows = sum(
        1
        for line in rows
        if any(
            tuple(line[x : x + 3]) != tuple(background)
            for x in range((width - 16) * channels, width * channels, channels)
        )
    )
    shades = {c: near(c) for c in SHADES}
    measured = {
        "size": f"{width}x{height}",
        "distinct colours": len(counts),
        "shaded EPCI pixels": sum(shades.values()),
        "shades present": sum(1 for n in shades.values() if n >= 500),
        "no-loan pixels": near(NO_LOAN),
        "venue pixels": near(VENUE, 40),
        "depot pixels": near(DEPOT, 40),
        "rows touching the right edge": overflow_rows,
    }
    dom = open(dom_path, encoding="utf-8").read()
    measured["svg elements"] = len(re.findall(r"<svg\b", dom))
    measured["table rows"] = len(re.findall(r"<tr\b", dom))
    measured["scripts"] = len(re.findall(r"<script\b", dom))
    for key, value in measured.items():
        print(f"observatory page: {key}: {value}")
    problems = []
    if width != 1280:
        problems.append(f"screenshot width {width}, expected the 1280 px window")
    if measured["shades present"] < 3:
        problems.append("the map shows fewer than three shades of its legend")
    if measured["shaded EPCI pixels"] < total * 0.03:
        problems.append("the EPCI areas cover less than 3 % of the page: the map did not draw")
    if measured["no-loan pixels"] < 200:
        problems.append("no EPCI in the 'no loan' colour: the gaps are not shown")
    if measured["venue pixels"] < 50 or measured["depot pixels"] < 20:
        problems.append("venues or depots are missing from the map")
    if overflow_rows:
        problems.append("something runs past the right edge of the 1280 px window")
    if measured["svg elements"] < 3:
        problems.append("expected the map and at least two charts as SVG")
    if measured["table rows"] < 6:
        problems.append("the yearly table and the under-served EPCIs are missing")
    if measured["scripts"]:
        problems.append("the page must read without JavaScript")
    for p in problems:
        print(f"observatory page: FAILED: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
