"""The portfolio radar: where each technology sits, as a pure function of its rows.

Sectors are fields, rings are status (commercialised at the centre) or the
commercialisation horizon; a technology's shape says whether it moved since
the end of the year before. No database and no request here: the page reads
the rows, this places them, the page labels them.
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from programs.models import TRACK_ORDER
from technologies.models import TechnologyStatus

from .labels import name_in, name_of, status_label, track_label

PIPELINE = [
    TechnologyStatus.CANDIDATE,
    TechnologyStatus.SELECTED,
    TechnologyStatus.IN_PROGRESS,
    TechnologyStatus.COMMERCIALISED,
]
# From the centre out: closest to market first, as on a technology radar.
STATUS_RINGS = list(reversed(PIPELINE))
# Years from the radar's year to the target commercialisation year: (upper limit, label).
HORIZON_RINGS = [(3, "≤ 3"), (6, "4–6"), (10, "7–10"), (None, "> 10")]


# The radar is laid out in units of its outer radius (1.0). Each ring keeps a band at its inner
# edge for its name, so no point is ever drawn under a ring's name.
LABEL_BAND = 0.045
# A point's diameter is chosen as large as the busiest cells allow, within these bounds; the
# page scales it to the chart's size in pixels.
MAX_POINT = 0.06
MIN_POINT = 0.004


@dataclass
class Radar:
    points: list[dict] = field(default_factory=list)
    moved: list[dict] = field(default_factory=list)  # the rows that changed status that year
    shown: int = 0
    dropped: int = 0  # counted, not drawn
    ring_edges: list[float] = field(default_factory=list)  # each ring's outer edge, centre out
    ring_names_at: list[float] = field(default_factory=list)  # the middle of each name's band
    point_size: float = MAX_POINT  # a point's diameter, in outer radii


def ring_of(row: dict, year: int, rings_by: str) -> int:
    """The ring index of a technology: by its status that year, or by years to its target."""
    if rings_by != "horizon":
        return STATUS_RINGS.index(row["status_then"])
    target = row["target_commercialisation_year"]
    if target is None:
        return len(HORIZON_RINGS) - 1
    for index, (limit, _label) in enumerate(HORIZON_RINGS):
        if limit is None or target - year <= limit:
            return index
    return len(HORIZON_RINGS) - 1


def movement_of(row: dict) -> str:
    if row["status_before"] is None:
        return "new"
    return "moved" if row["status_before"] != row["status_then"] else "same"


def radar_place(rows, field_codes: list[str], year: int, rings_by: str) -> Radar:
    """Place every row on the radar.

    Each row has code, field__code, status_then (its status at the end of
    ``year``, None if it was not in the portfolio yet), status_before (at the end
    of the year before), target_commercialisation_year and whatever else the
    page wants carried to the point. Rings are as deep as their busiest cell needs;
    a cell's technologies are spread over arcs one point apart, and the point size is
    the largest at which all of them fit: no two points overlap, whatever the count.
    """
    radar = Radar()
    cells: dict[tuple[int, int], list[dict]] = defaultdict(list)
    field_index = {code: i for i, code in enumerate(field_codes)}
    for row in rows:
        if row["status_then"] is None:
            continue
        if row["status_then"] == TechnologyStatus.DROPPED:
            radar.dropped += 1
            continue
        if row["status_before"] != row["status_then"]:
            radar.moved.append(row)
        cells[(field_index[row["field__code"]], ring_of(row, year, rings_by))].append(row)
        radar.shown += 1
    ring_count = len(HORIZON_RINGS) if rings_by == "horizon" else len(STATUS_RINGS)
    sectors = max(len(field_codes), 1)
    busiest = [
        max((len(m) for (_f, r), m in cells.items() if r == ring), default=0)
        for ring in range(ring_count)
    ]
    size = _largest_point(busiest, sectors)
    edges, arcs = _ring_layout(busiest, sectors, size)
    # Stretch the rings to fill the radar: arcs only get longer, so points stay apart.
    scale = 1 / edges[-1]
    radar.ring_edges = [round(edge * scale, 4) for edge in edges]
    radar.point_size = round(size * scale, 4)
    inner_edges = [0.0] + edges[:-1]
    radar.ring_names_at = [round((edge + LABEL_BAND / 2) * scale, 4) for edge in inner_edges]
    sector = 360 / sectors
    for (f_index, ring), members in cells.items():
        ring_arcs = arcs[ring]
        shares = _spread(len(members), [capacity for _radius, capacity in ring_arcs])
        start_at = 0
        for (radius, _capacity), count in zip(ring_arcs, shares, strict=True):
            for slot in range(count):
                row = members[start_at + slot]
                angle = f_index * sector + sector * (slot + 0.5) / count
                radar.points.append(
                    {
                        "row": row,
                        "value": [round(radius * scale, 4), round(angle, 2)],
                        "movement": movement_of(row),
                        "sector": f_index,
                        "ring": ring,
                    }
                )
            start_at += count
    return radar


def _ring_layout(busiest: list[int], sectors: int, size: float):
    """Each ring's outer edge and its arcs (radius, points one sector's arc holds) for a point size.

    A ring starts with its name's band, then holds as many arcs, one point's width apart, as its
    busiest cell needs; an arc holds as many points as fit along one sector's length of it.
    """
    theta = 2 * math.pi / sectors
    edges, arcs = [], []
    inner = 0.0
    for need in busiest:
        radius = inner + LABEL_BAND + size / 2
        ring_arcs: list[tuple[float, int]] = []
        held = 0
        while held < need:
            capacity = math.floor(radius * theta / size)
            if capacity >= 1:
                ring_arcs.append((radius, capacity))
                held += capacity
            radius += size
        outer = (ring_arcs[-1][0] + size / 2) if ring_arcs else inner + LABEL_BAND + size
        edges.append(outer + size / 4)
        arcs.append(ring_arcs)
        inner = edges[-1]
    return edges, arcs


def _largest_point(busiest: list[int], sectors: int) -> float:
    """The largest point diameter at which every ring fits inside the radar (bisection)."""
    low, high = MIN_POINT, MAX_POINT
    if _ring_layout(busiest, sectors, high)[0][-1] <= 1:
        return high
    for _step in range(30):
        middle = (low + high) / 2
        if _ring_layout(busiest, sectors, middle)[0][-1] <= 1:
            low = middle
        else:
            high = middle
    return low


def _spread(count: int, capacities: list[int]) -> list[int]:
    """Share ``count`` points over arcs in proportion to what each holds, none over its capacity.

    Spread this way, a cell with few points uses the whole depth of its ring instead of piling
    on the inner arcs.
    """
    total = sum(capacities)
    if not count:
        return [0] * len(capacities)
    shares = [min(c, math.floor(count * c / total)) for c in capacities]
    left = count - sum(shares)
    # The remainder goes to the arcs with the most room left, outer first on ties.
    order = sorted(range(len(capacities)), key=lambda i: (shares[i] - capacities[i], -i))
    while left:
        for i in order:
            if left and shares[i] < capacities[i]:
                shares[i] += 1
                left -= 1
    return shares


@dataclass(frozen=True)
class RadarView:
    """The radar: the chart's data, the technologies that moved since the year before, how
    many are drawn and left out, and the list beside it (sector, ring, points)."""

    chart: dict[str, Any]
    moved: list[dict[str, str]]
    shown: int
    dropped: int
    sectors: list[dict[str, Any]]


def radar_view(filtered, fields, year: int, rings_by: str) -> RadarView:
    """The radar's chart data and the list of what moved, labelled in the reader's language."""
    end, before = datetime.date(year, 12, 31), datetime.date(year - 1, 12, 31)
    rows = (
        filtered.order_by("field__code", "code")
        .with_status_on(end, "status_then")
        .with_status_on(before, "status_before")
        .values(
            "code",
            "name_ko",
            "name_en",
            "field__code",
            "program__track",
            "target_commercialisation_year",
            "status_then",
            "status_before",
        )
    )
    radar = radar_place(rows, [f.code for f in fields], year, rings_by)

    def point(placed):
        row = placed["row"]
        return {
            "value": placed["value"],
            "code": row["code"],
            "name": name_in(row),
            "track": row["program__track"],
            "status": status_label(row["status_then"]),
            "before": status_label(row["status_before"]) if row["status_before"] else "",
            "movement": placed["movement"],
            "url": reverse("dashboards:technology", args=[row["code"]]),
        }

    # Numbered as radars are read: by sector (field), then ring from the centre, then code; the
    # list beside the chart carries the same numbers, grouped the same way.
    placed = sorted(radar.points, key=lambda p: (p["sector"], p["ring"], p["row"]["code"]))
    points = [point(p) for p in placed]
    for number, p in enumerate(points, start=1):
        p["n"] = number
    if rings_by == "horizon":
        ring_labels = [_("%(years)s years") % {"years": label} for _limit, label in HORIZON_RINGS]
    else:
        ring_labels = [status_label(s) for s in STATUS_RINGS]
    series = [
        {"name": track_label(track), "points": [p for p in points if p["track"] == track]}
        for track in TRACK_ORDER
    ]
    sector_names = [name_of(f) for f in fields]
    groups: dict = {}
    for placed_point, p in zip(placed, points, strict=True):
        sector = groups.setdefault(placed_point["sector"], {})
        sector.setdefault(placed_point["ring"], []).append(p)
    radar_list = [
        {
            "sector": sector_names[s_index],
            "rings": [
                {"ring": ring_labels[ring], "points": members}
                for ring, members in sorted(groups[s_index].items())
            ],
        }
        for s_index in sorted(groups)
    ]
    chart = {
        "rings": ring_labels,
        "ring_edges": radar.ring_edges,
        "ring_names_at": radar.ring_names_at,
        "point_size": radar.point_size,
        "sectors": sector_names,
        "series": [s for s in series if s["points"]],
        "movement_names": {"same": _("unchanged"), "moved": _("moved"), "new": _("new")},
        "year": year,
    }
    moved_rows = [
        {
            "code": row["code"],
            "name": name_in(row),
            "before": status_label(row["status_before"]) if row["status_before"] else _("new"),
            "now": status_label(row["status_then"]),
        }
        for row in radar.moved
    ]
    return RadarView(
        chart=chart, moved=moved_rows, shown=radar.shown, dropped=radar.dropped, sectors=radar_list
    )
