"""Where the gap is: one year's shortfall (or surplus) by track, field and partner country,
beside the year before.

The target is set for the ministry as a whole, so a track or a field has no target of its
own. Each one's *part* of the year's target is the target in won split in proportion to
its budget lines of that basis (largest remainders, so the parts add up to the target to
the won); its shortfall is that part minus its international won. The shortfalls of the
tracks, and those of the fields, add up exactly to the overall gap. Partner countries have
no budget of their own (domestic lines have no country): they show what each adds, and
how that moved since the year before.
"""

from dataclasses import dataclass, replace

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from budgets.kpi.models import Dimension, FieldRollup, ShareSnapshot
from programs.models import TRACK_ORDER
from rdportfolio.core.i18n import bilingual
from rdportfolio.core.money import apportion

from .labels import country_label, track_label


@dataclass(frozen=True)
class GapRow:
    key: str
    label: str
    url: str | None
    international: int
    previous: int | None  # the year before, on that year's basis
    budget: int | None = None  # its budget lines of the basis (tracks and fields)
    part: int | None = None  # its part of the year's target, in won
    gap: int | None = None  # part - international: positive is a shortfall
    # As the reader reads them, once gap_texts gave them.
    international_text: str = ""
    previous_text: str = ""
    change_text: str = ""
    budget_text: str = ""
    part_text: str = ""
    gap_text: str = ""
    short: bool = False

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.international - self.previous


def gap_breakdown(run, year: int, path: list) -> dict | None:
    """The year's gap by track, field and country, on the year's basis (executed where the
    year is closed, otherwise planned), with the year before on its own basis."""
    by_year = {p.year: p for p in path}
    row = by_year.get(year)
    if run is None or row is None or row.best is None:
        return None
    previous_year = by_year.get(year - 1)
    best, before = row.best, previous_year.best if previous_year else None
    bases = {year: best.basis, **({year - 1: before.basis} if before else {})}
    target_won = best.target_won

    # Budget and international won per track and field (the run's field rollups)...
    sums = (
        FieldRollup.objects.of_run(run)
        .filter(fiscal_year__in=list(bases))
        .values_list(
            "fiscal_year",
            "basis",
            "track",
            "field__code",
            "field__name_ko",
            "field__name_en",
            "total_won",
            "international_won",
        )
    )
    tracks: dict[tuple[int, str], list[int]] = {}
    fields: dict[tuple[int, str], list[int]] = {}
    field_names: dict[str, str] = {}
    for fiscal_year, basis, track, code, name_ko, name_en, budget, international in sums:
        if basis != bases[fiscal_year]:
            continue
        for table, key in ((tracks, track), (fields, code)):
            cell = table.setdefault((fiscal_year, key), [0, 0])
            cell[0] += int(budget)
            cell[1] += int(international)
        field_names[code] = bilingual(name_ko, name_en)
    # ...and per partner country (the run's snapshots).
    by_country = dict(
        ((fiscal_year, key), won)
        for fiscal_year, basis, key, won in ShareSnapshot.objects.filter(
            run=run,
            dimension=Dimension.COUNTRY,
            fiscal_year__in=list(bases),
        ).values_list("fiscal_year", "basis", "key", "international_won")
        if basis == bases[fiscal_year]
    )

    had_before = before is not None
    track_rows = _rows(
        year,
        had_before,
        tracks,
        sorted({k for y, k in tracks if y == year}, key=TRACK_ORDER.index),
        track_label,
        lambda key: _list_url(track=key),
        target_won,
    )
    field_rows = _rows(
        year,
        had_before,
        fields,
        sorted({k for y, k in fields if y == year}, key=lambda k: field_names.get(k, k)),
        lambda key: field_names.get(key, key),
        lambda key: _list_url(field=key),
        target_won,
    )
    country_rows = sorted(
        (
            GapRow(
                key=key,
                label=country_label(key),
                url=_list_url(country=key),
                international=won,
                previous=by_country.get((year - 1, key), 0 if before else None),
            )
            for (fiscal_year, key), won in by_country.items()
            if fiscal_year == year
        ),
        key=lambda r: (-r.international, r.label),
    )
    return {
        "year": year,
        "row": row,
        "previous_year": year - 1 if before else None,
        "previous": before,
        "tracks": track_rows,
        "fields": field_rows,
        "countries": country_rows,
        "country_total": sum(r.international for r in country_rows),
    }


def _rows(year, had_before, table, keys, label, url, target_won) -> list[GapRow]:
    budgets = [table[(year, key)][0] for key in keys]
    parts = apportion(target_won, budgets) if target_won is not None else [None] * len(keys)
    rows = []
    for key, budget, part in zip(keys, budgets, parts, strict=True):
        international = table[(year, key)][1]
        previous = table.get((year - 1, key))
        rows.append(
            GapRow(
                key=key,
                label=label(key),
                url=url(key),
                international=international,
                previous=previous[1] if previous else (0 if had_before else None),
                budget=budget,
                part=part,
                gap=None if part is None else part - international,
            )
        )
    return rows


def _list_url(**params) -> str:
    return f"{reverse('dashboards:technologies')}?{urlencode(params)}"


def gap_texts(gap: dict, display) -> dict:
    """The breakdown with every amount as the reader reads it (unit, language, the year's
    dollar rate); a change signed, a gap as "short" or "ahead" rather than a sign."""
    year, before = gap["year"], gap["previous_year"]

    def texts(row: GapRow) -> GapRow:
        change = row.change
        return replace(
            row,
            international_text=display.text(row.international, year),
            previous_text=display.text(row.previous, before) if row.previous is not None else "–",
            change_text=(
                "–"
                if change is None
                else ("+" if change > 0 else "−" if change < 0 else "±")
                + display.text(abs(change), year)
            ),
            budget_text=display.text(row.budget, year) if row.budget is not None else "",
            part_text=display.text(row.part, year) if row.part is not None else "–",
            gap_text=_gap_words(row.gap, display, year),
            short=row.gap is not None and row.gap > 0,
        )

    best = gap["row"].best
    return {
        **gap,
        **{part: [texts(row) for row in gap[part]] for part in ("tracks", "fields", "countries")},
        "gap_text": _gap_words(best.gap_won, display, year),
        "short": best.gap_won is not None and best.gap_won > 0,
        "country_total_text": display.text(gap["country_total"], year),
    }


def _gap_words(gap: int | None, display, year: int) -> str:
    if gap is None:
        return "–"
    amount = display.text(abs(gap), year)
    if gap > 0:
        return _("%(amount)s short") % {"amount": amount}
    return _("%(amount)s ahead") % {"amount": amount}
