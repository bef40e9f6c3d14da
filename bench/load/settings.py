"""The app's own settings, plus one bare view to compare every page with (bench/load)."""

from sdr_ops.settings import *  # noqa: F403

ROOT_URLCONF = "bench.load.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
AXES_ENABLED = False  # the driver logs in many sessions from one address
