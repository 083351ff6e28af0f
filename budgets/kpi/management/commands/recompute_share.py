from django.core.management.base import BaseCommand

from budgets.kpi.models import Dimension, RunStatus, RunTrigger
from budgets.kpi.services import share_recompute, share_recompute_request


class Command(BaseCommand):
    help = "Recompute the international-collaboration share now (or queue it with --queue)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Write a new snapshot even if inputs are unchanged.",
        )
        parser.add_argument(
            "--queue", action="store_true", help="Hand the run to the Celery workers instead."
        )

    def handle(self, *args, force=False, queue=False, **options):
        if queue:
            run = share_recompute_request(trigger=RunTrigger.COMMAND, force=force)
            self.stdout.write(f"Run #{run.pk} queued ({run.get_status_display()}).")
            return
        run = share_recompute(trigger=RunTrigger.COMMAND, force=force)
        self.stdout.write(
            f"Run #{run.pk}: {run.get_status_display()} in {run.duration}, "
            f"{run.line_count} budget lines, {run.snapshot_count} snapshot rows."
        )
        if run.status == RunStatus.SUCCEEDED:
            for row in run.snapshots.filter(
                dimension=Dimension.OVERALL, basis__in=["planned", "executed"]
            ).order_by("fiscal_year", "basis"):
                self.stdout.write(
                    f"  {row.fiscal_year} {row.basis:<9} share {row.share if row.share is not None else '-':>8}% "
                    f"target {row.target_share if row.target_share is not None else '-':>8}% "
                    f"gap {row.gap_won if row.gap_won is not None else '-':>16} won  {row.status}"
                    f"{'  (projection)' if row.is_projection else ''}"
                )
