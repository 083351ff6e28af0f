from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from budgets.kpi.services import share_recompute
from rdportfolio.seed.demo import demo_load
from rdportfolio.seed.facts import facts_load
from rdportfolio.seed.logins import (
    DEMO_ANALYST_TOKEN,
    demo_evaluation_ensure,
    demo_logins_ensure,
)
from rdportfolio.seed.scenarios import DEMO_SCENARIO, demo_scenario_ensure


class Command(BaseCommand):
    help = (
        "Load every published fact of the programme (idempotent). With --demo, add a synthetic, "
        "deterministic full portfolio and, in the embedded mode, demo logins."
    )

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Add the synthetic demo portfolio.")

    def handle(self, *args, demo: bool = False, **options):
        with transaction.atomic():
            created = {"facts": facts_load()}
            if demo:
                created["demo"] = demo_load()
        for part, counts in created.items():
            summary = ", ".join(f"{name} {count}" for name, count in counts.items())
            self.stdout.write(f"{part}: created {summary}")
        if not any(any(counts.values()) for counts in created.values()):
            self.stdout.write("Nothing to do: everything was already there.")
        else:
            # Bulk inserts send no signals: ask for the KPI explicitly, once.
            run = share_recompute()
            self.stdout.write(f"International-collaboration share: run #{run.pk} {run.status}.")
        if demo and demo_scenario_ensure():
            self.stdout.write(f"Published the demo scenario: {DEMO_SCENARIO}.")
        if demo:
            if settings.RDP_DEMO_LOGINS:
                self.stdout.write(self.style.WARNING("Demo logins (embedded mode only):"))
                for username, password, role in demo_logins_ensure():
                    self.stdout.write(f"  {username:<10} {password:<22} {role}")
                self.stdout.write(f"  API token of the analyst: {DEMO_ANALYST_TOKEN}")
                # Blind reviews need reviewers, who exist only with the demo logins.
                assignments = demo_evaluation_ensure()
                self.stdout.write(f"Demo evaluation round: {assignments} assignments created.")
            else:
                self.stdout.write("No demo logins: RDP_DEMO_LOGINS is off (production).")
