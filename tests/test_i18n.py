"""Korean first, English available: in the admin, on pages, and through the language switch."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from rdportfolio.core.roles import portfolio_apps

PO_FILE = Path(__file__).resolve().parent.parent / "locale" / "ko" / "LC_MESSAGES" / "django.po"
DJANGO_OWN = {"Django site admin", "Django administration"}  # translated by Django itself


def test_every_message_of_ours_has_a_korean_translation():
    with PO_FILE.open("rb") as po:
        catalog = read_po(po, locale="ko")
    # Fuzzy entries are left out by compilemessages: they count as untranslated.
    untranslated = [
        m.id for m in catalog if m.id and (not m.string or m.fuzzy) and m.id not in DJANGO_OWN
    ]
    assert untranslated == []
    assert PO_FILE.with_suffix(".mo").stat().st_mtime >= PO_FILE.stat().st_mtime - 1, (
        "run compilemessages"
    )


def test_every_portfolio_model_and_field_reads_in_korean():
    portfolio = [
        m
        for m in apps.get_models()
        if m._meta.app_label in portfolio_apps()
        # Audit history tables: their own columns are django-simple-history's.
        and not m.__name__.startswith("Historical")
    ]
    with translation.override("ko"):
        untranslated = [
            f"{model._meta.label}.{field.name}"
            for model in portfolio
            for field in model._meta.fields
            if field.name != "id" and str(field.verbose_name).isascii()
        ]
        untranslated += [
            model._meta.label for model in portfolio if str(model._meta.verbose_name).isascii()
        ]
    assert untranslated == []


@pytest.mark.django_db
def test_the_admin_speaks_korean_by_default_and_english_on_request(client, ministry_editor):
    client.force_login(ministry_editor)
    url = reverse("admin:budgets_budgetline_changelist")
    korean = client.get(url).content.decode()
    assert "예산 항목" in korean and "회계연도" in korean
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "budget lines" in english.lower() and "fiscal year" in english.lower()


@pytest.mark.django_db
def test_the_language_switch_sticks(client, ministry_editor):
    client.force_login(ministry_editor)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("admin:index")}
    )
    assert response.status_code == 302
    assert "Portfolio administration" in client.get(reverse("admin:index")).content.decode()
    client.post(reverse("set_language"), {"language": "ko", "next": "/"})
    assert "포트폴리오 관리" in client.get(reverse("admin:index")).content.decode()
    # Remembered past the browser session: a dated cookie, not one that ends with the browser.
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and int(cookie["max-age"]) >= 300 * 24 * 3600
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    # And it outweighs the browser's own language.
    assert "포트폴리오 관리" in (
        client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    )


@pytest.mark.django_db
def test_the_login_page_offers_the_language_switch(client):
    page = client.get(reverse("admin:login")).content.decode()
    assert 'name="language"' in page and "English" in page and "한국어" in page
