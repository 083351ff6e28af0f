"""The ministry's acts on a fiscal year: closing it, and reopening it with a reason.

Admin, API and commands all call these; each is one transaction, and a second editor doing
the same at the same moment is refused with a message naming the first.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .figures import FigureMove, figure_moves, figure_moves_message, figure_state_read
from .models import Basis, BudgetLine, YearClosing


class ClosingRefused(ValueError):
    """A closing or reopening that cannot be: ``field`` names what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class FigureMoveUnconfirmed(ValueError):
    """A save would move a year's KPI figure by more than ``figures.CONFIRM_POINTS``: the
    editor is told by how much and saves again, confirmed."""

    def __init__(self, moves: list[FigureMove]):
        super().__init__(figure_moves_message(moves))
        self.moves = moves
        self.message = str(self)


def fiscal_year_close(
    *,
    fiscal_year: int,
    closed_on: datetime.date,
    closed_by,
    source: str = "",
    confirmed: bool = False,
) -> YearClosing:
    """Close ``fiscal_year``: its executed lines become its KPI figure.

    A year can be closed once it has ended, on a day after it, and only if executed lines
    were entered for it; a closing that moves its figure by more than the confirmation
    threshold needs ``confirmed``.
    """
    today = timezone.localdate()
    if fiscal_year >= today.year:
        raise ClosingRefused(
            "fiscal_year",
            _("%(year)s has not ended: a year is closed after 31 December %(year)s.")
            % {"year": fiscal_year},
        )
    if closed_on.year <= fiscal_year or closed_on > today:
        raise ClosingRefused(
            "closed_on",
            _(
                "The day of the act falls after the year it closes and not after today: "
                "between 1 January %(next)s and %(today)s."
            )
            % {"next": fiscal_year + 1, "today": today.isoformat()},
        )
    with transaction.atomic():
        _refuse_if_closed(fiscal_year)
        if not BudgetLine.objects.filter(fiscal_year=fiscal_year, basis=Basis.EXECUTED).exists():
            raise ClosingRefused(
                "fiscal_year",
                _("%(year)s has no executed lines: enter what was spent, then close the year.")
                % {"year": fiscal_year},
            )
        before = figure_state_read([fiscal_year])
        moves = figure_moves(before, before.with_closed(fiscal_year, True))
        if moves and not confirmed:
            raise FigureMoveUnconfirmed(moves)
        try:
            with transaction.atomic():
                return YearClosing.objects.create(
                    fiscal_year=fiscal_year, closed_on=closed_on, closed_by=closed_by, source=source
                )
        except IntegrityError:
            # Another editor closed it between our check and our insert.
            _refuse_if_closed(fiscal_year)
            raise


def fiscal_year_reopen(
    *, closing_id: int, reopened_by, reason: str, confirmed: bool = False
) -> YearClosing:
    """Reopen a closed year, with the reason: its KPI figure is its plan again."""
    reason = reason.strip()
    if not reason:
        raise ClosingRefused("reopen_reason", _("Say why the year is reopened."))
    with transaction.atomic():
        closing = YearClosing.objects.select_for_update().get(pk=closing_id)
        if not closing.is_standing:
            raise ClosingRefused(
                "reopen_reason",
                _("%(year)s was reopened already, on %(day)s by %(user)s.")
                % {
                    "year": closing.fiscal_year,
                    "day": date_format(timezone.localtime(closing.reopened_at), "Y-m-d H:i"),
                    "user": closing.reopened_by or _("someone no longer here"),
                },
            )
        before = figure_state_read([closing.fiscal_year])
        moves = figure_moves(before, before.with_closed(closing.fiscal_year, False))
        if moves and not confirmed:
            raise FigureMoveUnconfirmed(moves)
        closing.reopened_at = timezone.now()
        closing.reopened_by = reopened_by
        closing.reopen_reason = reason
        closing.save()
        return closing


def _refuse_if_closed(fiscal_year: int) -> None:
    standing = (
        YearClosing.objects.standing()
        .filter(fiscal_year=fiscal_year)
        .select_related("closed_by")
        .first()
    )
    if standing is not None:
        raise ClosingRefused(
            "fiscal_year",
            _("%(year)s is closed already: closed on %(day)s by %(user)s.")
            % {
                "year": fiscal_year,
                "day": standing.closed_on.isoformat(),
                "user": standing.closed_by or _("the seed"),
            },
        )
