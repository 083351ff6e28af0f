"""The demo's IP agreements and dispatched researchers, per collaboration."""

import datetime
import random

from partners.models import DispatchStatus, ImplementationRight
from technologies.models import ProjectStatus

from .. import catalogue
from .plan import CURRENT_YEAR, SOURCE, DemoProject


def _ip_agreement(rng: random.Random, p: DemoProject, collaboration_id: int) -> dict:
    domestic = rng.choice([60, 70, 80, 100, 50])
    return dict(
        collaboration_id=collaboration_id,
        domestic_share_percent=domestic,
        foreign_share_percent=100 - domestic,
        implementation_right=rng.choice(
            [ImplementationRight.EXCLUSIVE, ImplementationRight.NON_EXCLUSIVE]
        ),
        territory=rng.choice(["worldwide", "worldwide", "KR", "KR, US, EU"]),
        signed_on=datetime.date(p.start_year, rng.randint(1, 6), rng.randint(1, 28)),
        term_years=rng.choice([None, 10, 15, 20]),
        is_synthetic=True,
        source=SOURCE,
    )


def _dispatch(rng: random.Random, p: DemoProject, collaboration_id: int) -> dict:
    start = datetime.date(max(p.start_year, 2023), rng.randint(1, 12), rng.randint(1, 28))
    months = rng.choice([6, 12, 18, 24])
    end_year_month = start.year * 12 + start.month - 1 + months
    end = datetime.date(end_year_month // 12, end_year_month % 12 + 1, start.day)
    closed = end.year < CURRENT_YEAR
    return dict(
        collaboration_id=collaboration_id,
        researcher_name=rng.choice(catalogue.SURNAMES) + rng.choice(catalogue.GIVEN_NAMES),
        home_organisation=p.lead,
        start_date=start,
        end_date=end,
        status=DispatchStatus.CLOSED if closed else DispatchStatus.ACTIVE,
        direct_participation_confirmed=closed or rng.random() < 0.6,
        is_synthetic=True,
        source=SOURCE,
    )


def demo_agreements(rng: random.Random, projects: list[DemoProject], collaboration_of):
    """(IP agreement rows, dispatch rows). Every project under way has IP terms for each of
    its collaborations, half of the planned ones do; about a third send a researcher."""
    ip_rows, dispatch_rows = [], []
    for p in projects:
        for name, _role in p.partners:
            collaboration_id = collaboration_of(p, name)
            if p.status != ProjectStatus.PLANNED or rng.random() < 0.5:
                ip_rows.append(_ip_agreement(rng, p, collaboration_id))
            if rng.random() < 0.35 and p.start_year <= CURRENT_YEAR:
                dispatch_rows.append(_dispatch(rng, p, collaboration_id))
    return ip_rows, dispatch_rows
