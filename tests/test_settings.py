"""One settings module: embedded defaults, production values that pass the deploy check."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DATABASE_URL": "postgres://rdportfolio:secret@db.internal:5432/rdportfolio",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "SECRET_KEY": "k8#Xq2!vR9zLw4@pT7sN1&mB5^cY3*hF6$jD0%gA-uE_oI+rW=eQ",
    "ALLOWED_HOSTS": "rdportfolio.example.go.kr",
    "DEBUG": "false",
}


def run_manage(*args, env_overrides, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    env.update(env_overrides)
    env["RDP_VAR_DIR"] = str(tmp_path)
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deploy_check_is_clean_with_production_values(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides=PRODUCTION_ENV,
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("check", env_overrides=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_embedded_mode_needs_no_environment(tmp_path):
    script = (
        "from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, "
        "settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.RDP_DEMO_LOGINS)"
    )
    clean_env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG")
    }
    clean_env["RDP_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-5:] == [
        "django.db.backends.sqlite3",
        "True",
        "ko",
        "Asia/Seoul",
        "True",
    ]
    assert (tmp_path / "secret_key").exists() and (tmp_path / "db.sqlite3").parent == tmp_path
