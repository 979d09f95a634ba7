"""dSprites as docs/reference/yaml.md describes GenLab's drawing of it, transcribed into numpy
(float32, the operations in the documented order), for a few grid images: writes
Tests/Fixtures/dsprites-images.json, {"images": [{"index", "factors", "on": [pixel indices
that are on]}]}, which DSpritesTests compares with GenLab's renderer pixel for pixel.

usage: python3 Tests/Fixtures/generate_dsprites_reference.py   (numpy only)
"""
import json
import math
import os

import numpy

SIZES = [3, 6, 40, 32, 32]
SCALES = numpy.linspace(0.5, 1, 6)
ORIENTATIONS = numpy.linspace(0, 2 * math.pi, 40)
POSITIONS = numpy.linspace(0, 1, 32)
f32 = numpy.float32


def factors(index):
    out = []
    for size in reversed(SIZES):
        out.append(index % size)
        index //= size
    return list(reversed(out))


def inside(shape, u, v, scale):
    if shape == 0:
        half = f32(10) * scale
        return abs(u) <= half and abs(v) <= half
    if shape == 1:
        a, b = f32(12) * scale, f32(6) * scale
        return (u * u) / (a * a) + (v * v) / (b * b) <= f32(1)
    r = f32(10) * scale
    x, y = u / r, f32(0.125) - v / r
    q = x * x + y * y - f32(1)
    return q * q * q - x * x * y * y * y <= f32(0)


def render(index):
    shape, s, o, px, py = factors(index)
    scale = f32(SCALES[s])
    cx, cy = f32(16) + f32(31) * f32(POSITIONS[px]), f32(16) + f32(31) * f32(POSITIONS[py])
    c, sn = f32(math.cos(ORIENTATIONS[o])), f32(math.sin(ORIENTATIONS[o]))
    on = []
    for y in range(64):
        dy = f32(y) + f32(0.5) - cy
        for x in range(64):
            dx = f32(x) + f32(0.5) - cx
            u, v = c * dx - sn * dy, sn * dx + c * dy
            if inside(shape, u, v, scale):
                on.append(y * 64 + x)
    return on


# one of each shape at several scales, orientations and positions, the grid's corners included
indices = [0, 737279, 12345, 245760 + 98765, 491520 + 54321, 491520 + 3 * 40960 + 17 * 1024 + 5 * 32 + 26,
           4 * 40960 + 9 * 1024 + 31 * 32, 245760 + 5 * 40960 + 39 * 1024 + 31]
with numpy.errstate(all="ignore"):
    images = [{"index": i, "factors": factors(i), "on": render(i)} for i in indices]
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dsprites-images.json")
with open(path, "w") as f:
    json.dump({"generator": "generate_dsprites_reference.py", "images": images}, f)
print(path, [len(i["on"]) for i in images])
