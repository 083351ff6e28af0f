"""The partners' rows as Excel/CSV: institutions, collaborations, IP agreements; and the
lookups budget lines share to name a project's partner."""

from .collaborations import COLLABORATIONS, IP_AGREEMENTS
from .institutions import INSTITUTIONS
from .partner_rows import collaboration_lookups, collaboration_of, project_of

__all__ = [
    "COLLABORATIONS",
    "INSTITUTIONS",
    "IP_AGREEMENTS",
    "collaboration_lookups",
    "collaboration_of",
    "project_of",
]
