"""Idempotent bulk writes keyed by natural keys: what exists is left alone."""

from typing import Any

# ``model``: a model class, used through its ``objects`` manager, which ``Model`` itself (in
# django-stubs) does not declare: hence ``type[Any]``.


def create_missing(model: type[Any], rows: list[dict], key: tuple[str, ...]) -> int:
    """Insert the rows whose natural key is not in the table yet; return how many.

    Existing rows are never updated, so a second run writes nothing and staff
    edits to seeded rows survive a re-seed.
    """
    existing = set(model.objects.values_list(*key))
    seen: set[tuple] = set()
    new = []
    for row in rows:
        natural_key = tuple(row[k] for k in key)
        if natural_key in existing or natural_key in seen:
            continue
        seen.add(natural_key)
        new.append(model(**row))
    model.objects.bulk_create(new, batch_size=2000)
    return len(new)


def id_map(model: type[Any], key: str) -> dict:
    return dict(model.objects.values_list(key, "id"))
