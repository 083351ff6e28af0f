"""What the pages call things, in the reader's language: tracks, statuses, partner countries,
a KPI breakdown's keys, and bilingual records. Every page names them through here."""

from django.utils.translation import gettext as _
from django_countries import countries

from budgets.scenarios.engine import UNSPECIFIED
from programs.models import Track
from rdportfolio.core.i18n import bilingual
from technologies.models import TechnologyStatus


def track_label(code: str) -> str:
    return str(Track(code).label) if code in Track.values else code


def status_label(code: str) -> str:
    return str(TechnologyStatus(code).label) if code in TechnologyStatus.values else code


def country_label(code: str) -> str:
    """A partner country's name (ISO 3166 code), the code where it names none."""
    return str(countries.name(code) or code)


def key_label(dimension: str, key: str) -> str:
    """A key of a KPI breakdown (track, partner country; fields are named by their rows)."""
    if key == UNSPECIFIED:
        return _("Not specified")
    if dimension == "track":
        return track_label(key)
    if dimension == "country":
        return country_label(key)
    return key


def name_of(obj, ko: str = "name_ko", en: str = "name_en") -> str:
    """The reader's language's name of a bilingual record, the other one if it is empty."""
    return bilingual(getattr(obj, ko), getattr(obj, en))


def name_in(row: dict, ko: str = "name_ko", en: str = "name_en") -> str:
    """The same for a row read with ``values()``."""
    return bilingual(row[ko], row[en])
