"""The province map's geometry: the 38 provinces as SVG path strings, projected and simplified once.

`insights/data/provinces.geojson` (CC BY 4.0, licence beside it) is the source; `manage.py build_province_map`
turns it into `insights/data/provinces_svg.json`, which is committed and is all a web process reads (once, on
first use). A test rebuilds the file and compares, so the two cannot drift apart.

Projection: equirectangular, x = longitude, y = -latitude, one scale for both. Indonesia lies within 11° of the
equator, where this distorts areas by less than 2 % (cos 11° = 0.98), so a conformal projection would not draw
a visibly different map. Simplification: Ramer–Douglas–Peucker on each ring in map units (a few lines of pure
Python: a geometry library such as shapely would be a heavy dependency for one function run at build time),
then coordinates rounded to 0.1 unit and written as relative path commands. Islands smaller than
`MIN_ISLAND_AREA` are dropped, except a province's largest, so that every province keeps its shape.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
GEOJSON = DATA / "provinces.geojson"
SVG_JSON = DATA / "provinces_svg.json"

WIDTH = 1000  # map units across; the height follows from the bounding box
MARGIN = 4
TOLERANCE = 0.6  # map units (about 3 km): invisible at the widths the map is shown at
MIN_ISLAND_AREA = 1.5  # square map units
ATTRIBUTION = "Batas provinsi: Indonesia GeoJSON & TopoJSON Maps (38 Provinces), CC BY 4.0"
ATTRIBUTION_URL = "https://creativecommons.org/licenses/by/4.0/"


def _polygons(geometry: dict) -> list[list[list[tuple[float, float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def _rdp(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Ramer–Douglas–Peucker, iterative (a ring of a few thousand points must not hit the recursion limit)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        worst, index = 0.0, first
        for i in range(first + 1, last):
            px, py = points[i]
            # Distance to the chord; to the end point when the chord is a point (a closed ring's first/last).
            d = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm if norm else math.hypot(px - x1, py - y1)
            if d > worst:
                worst, index = d, i
        if worst > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def _area(ring: list[tuple[float, float]]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def _path(rings: list[list[tuple[float, float]]]) -> str:
    """Rings as one path: an absolute move to each ring's start, then relative lines, in tenths of a unit."""
    parts = []
    for ring in rings:
        pts = [(round(x * 10), round(y * 10)) for x, y in ring]
        # Consecutive points that rounding made equal say nothing.
        pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
        if pts[-1] == pts[0]:
            pts = pts[:-1]
        if len(pts) < 3:
            continue
        x0, y0 = pts[0]
        steps = [f"{_unit(x - px)} {_unit(y - py)}" for (px, py), (x, y) in zip(pts, pts[1:], strict=False)]
        parts.append(f"M{_unit(x0)} {_unit(y0)}l" + " ".join(steps) + "z")
    return "".join(parts)


def _unit(tenths: int) -> str:
    """A number of tenths written in map units, shortest form ("12", "-0.4" as "-.4")."""
    text = f"{tenths / 10:g}"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def build_province_map(geojson: dict) -> dict:
    """The committed JSON: viewBox size and one SVG path per province code (the Feature id)."""
    features = sorted(geojson["features"], key=lambda f: str(f["id"]))
    coords = [pt for f in features for poly in _polygons(f["geometry"]) for ring in poly for pt in ring]
    lon_min, lon_max = min(p[0] for p in coords), max(p[0] for p in coords)
    lat_min, lat_max = min(p[1] for p in coords), max(p[1] for p in coords)
    scale = (WIDTH - 2 * MARGIN) / (lon_max - lon_min)
    height = math.ceil((lat_max - lat_min) * scale + 2 * MARGIN)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (MARGIN + (lon - lon_min) * scale, MARGIN + (lat_max - lat) * scale)

    provinces = {}
    for feature in features:
        polygons = []
        for polygon in _polygons(feature["geometry"]):
            rings = [_rdp([project(lon, lat) for lon, lat in ring], TOLERANCE) for ring in polygon]
            polygons.append(rings)
        largest = max(polygons, key=lambda rings: _area(rings[0]))
        kept = [
            ring
            for rings in polygons
            if rings is largest or _area(rings[0]) >= MIN_ISLAND_AREA
            for ring in rings
            if len(ring) >= 4
        ]
        provinces[str(feature["id"])] = _path(kept)
    return {"width": WIDTH, "height": height, "attribution": ATTRIBUTION, "provinces": provinces}


def build_province_map_file() -> str:
    """The JSON text `build_province_map` writes (stable: sorted keys, one province per line)."""
    data = build_province_map(json.loads(GEOJSON.read_text(encoding="utf-8")))
    lines = [f"  {json.dumps(code)}: {json.dumps(path)}" for code, path in sorted(data["provinces"].items())]
    head = {k: v for k, v in data.items() if k != "provinces"}
    return (
        "{\n"
        + "".join(f"  {json.dumps(k)}: {json.dumps(v)},\n" for k, v in sorted(head.items()))
        + '  "provinces": {\n  '
        + ",\n  ".join(lines)
        + "\n  }\n}\n"
    )


@functools.cache
def province_shapes() -> dict:
    """The committed map, read once per process: {"width", "height", "attribution", "provinces": {code: d}}."""
    return json.loads(SVG_JSON.read_text(encoding="utf-8"))
