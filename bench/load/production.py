"""The production settings, plus the bare views to compare every page with (bench/load)."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-key-never-used-in-production-0123456789abcdef")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("EMAIL_URL", "consolemail://")

from sdr_ops.settings_production import *  # noqa: E402, F403

ROOT_URLCONF = "bench.load.urls"
AXES_ENABLED = False  # the driver logs in several sessions from one address
STATIC_ROOT = VAR_DIR / "bench-static"  # noqa: F405
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "bench.load.storage.ManifestStorage"}}  # noqa: F405
