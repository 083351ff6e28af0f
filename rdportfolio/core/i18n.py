"""The reader's language, for records kept in Korean and English."""

from django.utils.translation import get_language


def korean() -> bool:
    return (get_language() or "ko").startswith("ko")


def bilingual(ko: str, en: str) -> str:
    """The reader's language's text of a Korean/English pair, the other one if it is empty."""
    return (ko or en) if korean() else (en or ko)
