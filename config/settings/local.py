"""Local development: DEBUG on unless the environment says otherwise."""

import os

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# Local runs have no mail server: e-mails are written to files under media/outbox/ (like the SMS file),
# not to the console, unless EMAIL_BACKEND says otherwise.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=os.path.join(str(MEDIA_ROOT), "outbox"))  # noqa: F405
# The development server starts a thread per request: a connection kept open would outlive its thread.
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)  # noqa: F405
