"""The radar's layout: no two points overlap and none sits on a ring's name, whatever the count."""

import itertools
import math
import random

import pytest

from rdportfolio.dashboards.radar import LABEL_BAND, STATUS_RINGS, radar_place
from technologies.models import TechnologyStatus

FIELDS = [f"F{i}" for i in range(10)]


def rows_for(counts: dict[tuple[str, str], int]) -> list[dict]:
    rows = []
    for (field_code, status), count in counts.items():
        for i in range(count):
            rows.append(
                {
                    "code": f"{field_code}-{status}-{i}",
                    "field__code": field_code,
                    "status_then": status,
                    "status_before": status,
                    "target_commercialisation_year": 2030,
                }
            )
    return rows


def check_layout(radar, sectors: int) -> None:
    size = radar.point_size
    xy = []
    for point in radar.points:
        radius, angle = point["value"]
        ring = point["ring"]
        inner = radar.ring_edges[ring - 1] if ring else 0.0
        # Inside its own ring, beyond the band that holds the ring's name.
        assert inner + LABEL_BAND * 0.99 <= radius - size / 2 + 1e-3
        assert radius + size / 2 <= radar.ring_edges[ring] + 1e-3
        # Inside its own sector.
        width = 360 / sectors
        assert point["sector"] * width < angle < (point["sector"] + 1) * width
        rad = math.radians(angle)
        xy.append((radius * math.sin(rad), radius * math.cos(rad)))
    for (x1, y1), (x2, y2) in itertools.combinations(xy, 2):
        assert math.hypot(x1 - x2, y1 - y2) >= size * 0.99


def test_a_demo_sized_portfolio_is_laid_out_without_overlap():
    generator = random.Random(7)  # noqa: S311 -- a fixed, repeatable test layout
    counts = {(f, s): generator.randint(0, 12) for f in FIELDS for s in STATUS_RINGS}
    radar = radar_place(rows_for(counts), FIELDS, 2026, "status")
    assert radar.shown == sum(counts.values()) == len(radar.points)
    check_layout(radar, len(FIELDS))
    # The rings fill the radar, centre out, each deeper than its name's band.
    assert radar.ring_edges[-1] == pytest.approx(1)
    assert radar.ring_edges == sorted(radar.ring_edges)
    assert len(radar.ring_edges) == len(radar.ring_names_at) == len(STATUS_RINGS)


def test_a_crowded_cell_makes_its_ring_deeper_and_points_smaller_not_overlapping():
    crowded = {("F3", TechnologyStatus.IN_PROGRESS): 400, ("F0", TechnologyStatus.CANDIDATE): 1}
    sparse = {("F3", TechnologyStatus.IN_PROGRESS): 4, ("F0", TechnologyStatus.CANDIDATE): 1}
    big = radar_place(rows_for(crowded), FIELDS, 2026, "status")
    small = radar_place(rows_for(sparse), FIELDS, 2026, "status")
    check_layout(big, len(FIELDS))
    check_layout(small, len(FIELDS))
    assert big.point_size < small.point_size
    ring = STATUS_RINGS.index(TechnologyStatus.IN_PROGRESS)

    def depth(radar):
        return radar.ring_edges[ring] - radar.ring_edges[ring - 1]

    assert depth(big) > depth(small)


def test_empty_rings_keep_a_band_for_their_name():
    radar = radar_place(rows_for({("F1", TechnologyStatus.SELECTED): 3}), FIELDS, 2026, "status")
    check_layout(radar, len(FIELDS))
    inner = [0.0] + radar.ring_edges[:-1]
    for edge, start, name_at in zip(radar.ring_edges, inner, radar.ring_names_at, strict=True):
        assert start < name_at < edge


def test_nothing_to_show():
    radar = radar_place([], FIELDS, 2026, "horizon")
    assert radar.points == [] and radar.shown == 0
    assert radar.ring_edges[-1] == pytest.approx(1)
