"""Test settings: the real settings, on a throwaway data dir, on SQLite or on the
PostgreSQL named by COMPTOIR_TEST_DATABASE_URL."""

import os
import tempfile

os.environ["COMPTOIR_DATA_DIR"] = tempfile.mkdtemp(prefix="comptoir-test-")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
if os.environ.get("COMPTOIR_TEST_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["COMPTOIR_TEST_DATABASE_URL"]

from comptoir.settings import *  # noqa: F403
from comptoir.settings import HUEY

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; tests only
HUEY = {**HUEY, "immediate": True}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
