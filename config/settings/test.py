"""Tests: the same database and broker as configured, tasks eager unless a test says otherwise."""

from .base import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = True
# Tests clear the cache; Redis database 0 is also the Celery queue of the worker tests.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Live-server threads must not hold connections open past a test: the test database is dropped at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The replica is the test database itself (a mirror), with or without DATABASE_REPLICA_URL: tests pass
# either way, and core.db treats a mirror as the primary.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405

# A file, not memory, so that a real Celery worker in the integration tests reaches the same test database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import os

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(BASE_DIR / "test-output" / f"test-db-{os.getpid()}.sqlite3")  # noqa: F405
    }
    (BASE_DIR / "test-output").mkdir(exist_ok=True)  # noqa: F405

# The test client's login() authenticates without a request, which the lock-out backend refuses; the tests
# of lock-outs switch it on with override_settings(AXES_ENABLED=True).
AXES_ENABLED = False
