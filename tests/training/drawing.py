"""Digits drawn with Pillow, the way a student draws one in a paint program or on paper.

Each digit is a few strokes (polylines and arcs) in a unit box, x to the
right and y down; :func:`draw_digit` places it on a canvas of any size, at
any offset, with any pen, dark on light or light on dark. The tests of
``cnnlab predict`` read these back.
"""

from __future__ import annotations

import itertools

import numpy as np
from PIL import Image, ImageDraw


def arc(cx, cy, rx, ry, start, stop, n=24):
    """Points of an ellipse's arc from angle ``start`` to ``stop`` (degrees, 0 = right, 90 = down)."""
    t = np.radians(np.linspace(start, stop, n))
    return list(zip(cx + rx * np.cos(t), cy + ry * np.sin(t)))


STROKES = {  # label -> list of polylines in the unit box
    0: [arc(0.5, 0.5, 0.32, 0.46, 0, 360, 48)],
    1: [[(0.35, 0.2), (0.55, 0.04), (0.55, 0.96)]],
    2: [arc(0.5, 0.3, 0.32, 0.26, 190, 370) + [(0.18, 0.96), (0.85, 0.96)]],
    3: [arc(0.47, 0.27, 0.3, 0.23, 200, 450), arc(0.47, 0.73, 0.33, 0.23, 270, 520)],
    4: [[(0.62, 0.04), (0.12, 0.68), (0.9, 0.68)], [(0.66, 0.3), (0.66, 0.96)]],
    5: [[(0.8, 0.04), (0.25, 0.04), (0.2, 0.45)] + arc(0.48, 0.68, 0.33, 0.28, 225, 500)],
    6: [arc(0.55, 0.5, 0.3, 0.46, 290, 180) + arc(0.5, 0.72, 0.3, 0.24, 180, 540)],
    7: [[(0.12, 0.04), (0.88, 0.04), (0.4, 0.96)]],
    8: [arc(0.5, 0.26, 0.26, 0.22, 0, 360, 40), arc(0.5, 0.72, 0.32, 0.24, 0, 360, 40)],
    9: [arc(0.5, 0.3, 0.3, 0.26, 0, 360, 40) + [(0.8, 0.3), (0.72, 0.96)]],
}


def draw_digit(label: int, *, canvas=(240, 240), height=0.7, aspect=0.7, stroke=0.08, offset=(0.0, 0.0),
               dark_on_light=True, slant=0.0) -> Image.Image:
    """One digit on a blank canvas.

    Parameters
    ----------
    label : int, 0..9
    canvas : (width, height) in pixels
    height : float
        The digit's height as a share of the canvas's height.
    aspect : float
        The digit's width over its height.
    stroke : float
        The pen's width as a share of the digit's height.
    offset : (float, float)
        Shift of the digit's centre from the canvas's centre, as shares of its width and height.
    dark_on_light : bool
        Black ink on white paper, or white chalk on black.
    slant : float
        Shear: x moves right by ``slant`` times the height above the digit's middle.
    """
    w, h = canvas
    digit_h = height * h
    digit_w = aspect * digit_h
    cx, cy = w / 2 + offset[0] * w, h / 2 + offset[1] * h
    paper, ink = (255, 0) if dark_on_light else (0, 255)
    image = Image.new("L", canvas, paper)
    pen = max(1, round(stroke * digit_h))
    draw = ImageDraw.Draw(image)
    for line in STROKES[label]:
        points = [(cx + (x - 0.5) * digit_w + slant * (0.5 - y) * digit_h, cy + (y - 0.5) * digit_h) for x, y in line]
        draw.line(points, fill=ink, width=pen, joint="curve")
        for x, y in (points[0], points[-1]):  # round pen ends
            draw.ellipse((x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2), fill=ink)
    return image


VARIANTS = {  # name -> keyword arguments of draw_digit; with every label, the drawn test set
    f"{canvas[0]}x{canvas[1]} h{height} pen{stroke} at{offset} {'ink' if dark else 'chalk'} slant{slant}": dict(
        canvas=canvas, height=height, stroke=stroke, offset=offset, dark_on_light=dark, slant=slant)
    for canvas, height, stroke, offset, dark, slant in itertools.product(
        [(240, 240), (400, 260)], [0.45, 0.8], [0.04, 0.1, 0.18], [(0.0, 0.0), (-0.15, 0.08)], [True, False],
        [0.0, 0.15])
}


def drawn_set():
    """Every label in every variant: (label, variant name, image)."""
    return [(label, name, draw_digit(label, **kwargs)) for name, kwargs in VARIANTS.items() for label in range(10)]
