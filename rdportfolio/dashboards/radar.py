"""The portfolio radar: where each technology sits, as a pure function of its rows.

Sectors are fields, rings are status (commercialised at the centre) or the
commercialisation horizon; a technology's shape says whether it moved since
the end of the year before. No database and no request here: the page reads
the rows, this places them, the page labels them.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from technologies.models import TechnologyStatus

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


@dataclass
class Radar:
    points: list[dict] = field(default_factory=list)
    moved: list[dict] = field(default_factory=list)  # the rows that changed status that year
    shown: int = 0
    dropped: int = 0  # counted, not drawn


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
    page wants carried to the point. A cell's technologies are spread over a few
    arcs inside the cell so that no two points overlap.
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
    sector = 360 / max(len(field_codes), 1)
    for (f_index, ring), members in cells.items():
        per_arc = max(4, math.ceil(len(members) / 3))
        arcs = math.ceil(len(members) / per_arc)
        for i, row in enumerate(members):
            arc, slot = divmod(i, per_arc)
            in_arc = min(per_arc, len(members) - arc * per_arc)
            angle = f_index * sector + sector * (slot + 1) / (in_arc + 1)
            radius = ring + (arc + 1) / (arcs + 1)
            radar.points.append(
                {
                    "row": row,
                    "value": [round(radius, 3), round(angle, 2)],
                    "movement": movement_of(row),
                    "sector": f_index,
                    "ring": ring,
                }
            )
    return radar
