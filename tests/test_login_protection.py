"""Login protection: lockout after repeated failures, strong passwords, careful session cookies."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def attempt(client, username, password, url="/accounts/login/"):
    return client.post(url, {"username": username, "password": password, "next": "/"})


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_five_failures_lock_the_account_for_that_address(cto_viewer, ministry_editor, url):
    user = ministry_editor if url.startswith("/admin") else cto_viewer
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.7")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, user.username, "wrong", url).status_code == 200
    locked = attempt(client, user.username, "wrong", url)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    # Even the right password is refused now, from that address.
    assert attempt(client, user.username, PASSWORD, url).status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address, or another account, is not locked.
    elsewhere = Client(REMOTE_ADDR="198.51.100.9")
    assert attempt(elsewhere, user.username, PASSWORD, url).status_code == 302


def test_a_success_before_the_limit_resets_the_count(cto_viewer):
    client = Client(REMOTE_ADDR="203.0.113.8")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, cto_viewer.username, "wrong")
    assert attempt(client, cto_viewer.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, cto_viewer.username, "wrong").status_code == 200


def test_forwarded_addresses_are_not_trusted_without_a_proxy(cto_viewer):
    # Without AXES_IPWARE_PROXY_COUNT an attacker could rotate X-Forwarded-For to dodge the lock.
    client = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": cto_viewer.username, "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
    assert attempt(client, cto_viewer.username, PASSWORD).status_code == 429


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-pw-1", "at least 12 characters"),
        ("password1234", "too common"),
        ("123456789012345", "entirely numeric"),
        ("new.reader.kim", "too similar to the username"),
    ],
)
def test_staff_cannot_give_a_new_user_a_weak_password(client, password, reason):
    # The ministry's rule as its staff meet it: adding a login in the admin.
    admin = get_user_model().objects.create_superuser("t_admin", password=PASSWORD)
    client.force_login(admin)
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "new.reader.kim",
            "usable_password": "true",
            "password1": password,
            "password2": password,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not get_user_model().objects.filter(username="new.reader.kim").exists()


def test_a_strong_password_is_accepted(client):
    admin = get_user_model().objects.create_superuser("t_admin", password=PASSWORD)
    client.force_login(admin)
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "new.reader.kim",
            "usable_password": "true",
            "password1": "a-long-passphrase-2026",
            "password2": "a-long-passphrase-2026",
        },
    )
    assert response.status_code == 302
    assert (
        get_user_model()
        .objects.get(username="new.reader.kim")
        .check_password("a-long-passphrase-2026")
    )


def test_session_cookies_are_http_only_and_same_site(cto_viewer):
    client = Client(REMOTE_ADDR="203.0.113.10")
    attempt(client, cto_viewer.username, PASSWORD)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == ""  # ends with the browser
    assert settings.CSRF_COOKIE_HTTPONLY and settings.SESSION_COOKIE_AGE <= 8 * 3600


def change_password(client, old, new="another-long-passphrase-27"):
    return client.post(
        "/admin/password_change/",
        {"old_password": old, "new_password1": new, "new_password2": new},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_wrong_old_passwords_count_toward_the_lockout(ministry_editor):
    """The password change form checked the old password itself: unlimited guesses."""
    client = Client(REMOTE_ADDR="203.0.113.20")
    client.force_login(ministry_editor)
    page = client.get("/admin/password_change/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and b"revokes your API tokens" in page.content
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = change_password(client, "wrong")
        assert wrong.status_code == 200 and b"old password was entered incorrectly" in wrong.content
    assert change_password(client, "wrong").status_code == 429
    # Locked: even the right old password changes nothing now.
    assert change_password(client, PASSWORD).status_code == 429
    ministry_editor.refresh_from_db()
    assert ministry_editor.check_password(PASSWORD)


def test_a_password_change_revokes_the_users_api_tokens(ministry_editor, analyst):
    from rest_framework.authtoken.models import Token

    mine, theirs = Token.objects.create(user=ministry_editor), Token.objects.create(user=analyst)
    api_client = Client(HTTP_AUTHORIZATION=f"Token {mine.key}")
    assert api_client.get("/api/v1/programs/").status_code == 200
    client = Client(REMOTE_ADDR="203.0.113.21")
    client.force_login(ministry_editor)
    done = change_password(client, PASSWORD)
    assert done.status_code == 302 and done["Location"] == "/admin/password_change/done/"
    assert api_client.get("/api/v1/programs/").status_code == 401
    assert not Token.objects.filter(user=ministry_editor).exists()
    assert Token.objects.filter(pk=theirs.pk).exists()  # another user's stays
    # A password an administrator sets (the user's page in the admin) revokes them too.
    analyst.set_password("set-by-an-administrator-1")
    analyst.save()
    assert not Token.objects.filter(pk=theirs.pk).exists()
