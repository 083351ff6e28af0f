"""The demo's published scenario: what CTO viewers and the analyst's token read first.

Two adjustments, as the issue that asked for scenarios put them: a fifth of leapfrogging's
domestic won moved to US partners in 2026-2028, and new game-changer projects with US
partners, 50억 원 a year from 2026. Computed in this process and published.
"""

from decimal import Decimal

from budgets.scenarios.models import Scenario
from budgets.scenarios.services import scenario_create, scenario_publish

DEMO_SCENARIO = "Two steps toward 15% (demo)"
EOK = 10**8


def demo_scenario_ensure() -> bool:
    """Create and publish the demo scenario unless it exists; True when created."""
    if Scenario.objects.filter(name=DEMO_SCENARIO).exists():
        return False
    scenario = scenario_create(
        name=DEMO_SCENARIO,
        description=(
            "20% of leapfrogging's domestic won to US partners in 2026-2028; "
            "game-changer projects with US partners, 50억 원 a year from 2026."
        ),
        owner=None,
        adjustments=[
            {"kind": "shift", "track": "leapfrogging", "from_year": 2026, "to_year": 2028,
             "percent": Decimal(20), "partner_country": "US"},
            {"kind": "add", "track": "game_changer", "from_year": 2026, "to_year": 2030,
             "amount_won": 50 * EOK, "partner_country": "US"},
        ],
        compute_now=True,
    )  # fmt: skip
    scenario_publish(scenario_id=scenario.pk)
    return True
