"""Settings come from the environment, run on SQLite and PostgreSQL, and pass check --deploy."""

import json
import os
import secrets

import pytest
from django.conf import settings
from django.db import connection

from .helpers import manage, postgres_url

PRINT_SETTINGS = (
    "from django.conf import settings as s; import json; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'broker': s.CELERY_BROKER_URL, 'tz': s.TIME_ZONE, 'debug': s.DEBUG}))"
)


def test_the_suite_runs_on_the_database_that_DATABASE_URL_names():
    url = os.environ.get("DATABASE_URL", "sqlite://")
    expected = "postgresql" if url.startswith(("postgres", "pgsql")) else "sqlite"
    assert connection.vendor == expected
    assert settings.DATABASES["default"]["ENGINE"].startswith(f"django.db.backends.{expected}")


def test_nothing_set_means_sqlite_and_a_broker_without_a_server(tmp_path):
    result = manage(
        "shell",
        "-c",
        PRINT_SETTINGS,
        DATABASE_URL=None,
        CELERY_BROKER_URL=None,
        TIME_ZONE=None,
        DEBUG=None,
        SDR_OPS_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "engine": "django.db.backends.sqlite3",
        "broker": "filesystem://",
        "tz": "Asia/Seoul",
        "debug": False,
    }


def test_settings_load_and_migrate_on_sqlite(tmp_path):
    result = manage(
        "migrate",
        "--noinput",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SDR_OPS_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "db.sqlite3").exists()


def test_settings_load_on_postgresql():
    url = postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL server reachable (set DATABASE_URL to one)")
    result = manage("check", "--database", "default", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    result = manage("shell", "-c", PRINT_SETTINGS, DATABASE_URL=url)
    assert '"engine": "django.db.backends.postgresql"' in result.stdout


def test_check_deploy_with_production_settings_prints_no_warning():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="sdr_ops.settings_production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="sdr-ops.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = manage(
        "check",
        DJANGO_SETTINGS_MODULE="sdr_ops.settings_production",
        SECRET_KEY=None,
        ALLOWED_HOSTS="sdr-ops.example.com",
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
