"""Test settings whose SQLite gives up on a held write lock after one second, not twenty.

Lets a fault test reach the "the lock outlived the timeout" path in seconds.
"""

from lms.settings.test import *  # noqa: F403
from lms.settings.test import DATABASES

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"]["timeout"] = 1
