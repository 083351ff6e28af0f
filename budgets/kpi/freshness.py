"""How current the figures people read are: the latest successful run, and the newest
run after it if one is on its way, late or failed. Read by ShareRun.objects.freshness()."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from django.utils import timezone
from django.utils.translation import gettext

if TYPE_CHECKING:
    from .models import ShareRun

# A run still waiting or running after this long is late: /health/ says so.
LATE_AFTER = timedelta(minutes=5)


@dataclass
class Freshness:
    """Whether the figures people read (the latest successful run) include every change.

    ``state`` is "current", "updating" (a recompute requested after them is on its
    way), "late" (one has waited longer than it should), "failed" (the newest
    recompute failed) or "none" (nothing was ever computed).
    """

    run: ShareRun | None
    state: str
    since: datetime | None = None
    newest: ShareRun | None = None

    @property
    def stale(self) -> bool:
        return self.state != "current"

    @property
    def alarming(self) -> bool:
        """What an operator's monitor should be woken for."""
        return self.state in ("late", "failed", "none")

    def message(self) -> str:
        """The reason, for people, in the active language ("" when current)."""
        # Every state but "none" has its run, and every state but "current" its newest run: the
        # messages below read only those their state has.
        newest, run = cast("ShareRun", self.newest), cast("ShareRun", self.run)
        local = timezone.localtime(self.since).strftime("%Y-%m-%d %H:%M") if self.since else ""
        if self.state == "none":
            return gettext("The share has not been computed yet.")
        if self.state == "failed":
            return gettext(
                "The latest recompute (run #%(newest)s) failed at %(time)s: the figures are from "
                "run #%(run)s and miss the changes since. %(reason)s"
            ) % {"newest": newest.pk, "time": local, "run": run.pk, "reason": newest.error_summary}
        if self.state == "late":
            return gettext(
                "Changes since %(time)s are not in the figures yet: run #%(newest)s has been "
                "waiting for a worker since then."
            ) % {"time": local, "newest": newest.pk}
        if self.state == "updating":
            return gettext("Changes since %(time)s are being computed (run #%(newest)s).") % {
                "time": local,
                "newest": newest.pk,
            }
        return ""
