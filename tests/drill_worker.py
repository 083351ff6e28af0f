"""The drills' Celery worker: the product's own worker, with one step made slow enough to be
killed mid-way. The slowness lives here, never in the product's code or settings.

``DRILL_SLOW`` names the step and the seconds it waits, then it goes on as usual:

* ``share:60``: a share run, after it took the database lock, before it reads the lines;
* ``scenario:60``: a scenario result, inside its transaction, before it writes figures;
* ``import-checking:60``: an import job, claimed and checking, before it reads the file;
* ``import-writing:60``: an import job, its rows written but not committed.

Run as ``python -m tests.drill_worker <celery's arguments>`` (tests/processes.py does).
"""

import functools
import os
import sys
import time


def _slowed(module, name: str, seconds: float, *, after: bool = False) -> None:
    step = getattr(module, name)

    @functools.wraps(step)
    def slow(*args, **kwargs):
        if not after:
            time.sleep(seconds)
        result = step(*args, **kwargs)
        if after:
            time.sleep(seconds)
        return result

    setattr(module, name, slow)


def slow_down(spec: str) -> None:
    from budgets.kpi import services
    from budgets.scenarios import services as scenario_services
    from rdportfolio.core import tabular
    from rdportfolio.imports import services as import_services

    step, _, seconds = spec.partition(":")
    steps = {
        "share": lambda s: _slowed(services, "_share_write", s),
        "scenario": lambda s: _slowed(scenario_services, "_result_write", s),
        "import-checking": lambda s: _slowed(import_services, "_import_job_carry_out", s),
        "import-writing": lambda s: _slowed(tabular, "plan_write", s, after=True),
    }
    steps[step](float(seconds))


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rdportfolio.settings")
    django.setup()
    if os.environ.get("DRILL_SLOW"):
        slow_down(os.environ["DRILL_SLOW"])
    from celery.__main__ import main as celery_main

    sys.argv = ["celery", *sys.argv[1:]]
    celery_main()


if __name__ == "__main__":
    main()
