"""Celery tasks of the scenarios: thin, take IDs, and call the services."""

from celery import shared_task

from .services import scenario_result_compute, scenario_results_watch


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=120, time_limit=150)
def compute_scenario(result_id: int) -> str | None:
    """Compute scenario result ``result_id``. Idempotent: a result already taken is left alone."""
    result = scenario_result_compute(result_id=result_id)
    return result.status if result else None


@shared_task(ignore_result=True)
def scenario_results_watchdog() -> dict:
    """Every half minute: results whose message was lost go out again; those whose worker died
    go out again or fail, with a message, after the last attempt."""
    return scenario_results_watch()
