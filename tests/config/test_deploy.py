"""Production settings pass Django's deployment checklist with no warning."""

import base64
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def test_check_deploy_is_clean_with_production_settings():
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; it is not part of a deployment.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(64)),
        "FIELD_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode(),
        "ALLOWED_HOSTS": "example.org",
        "PUBLIC_BASE_URL": "https://example.org",
    }  # DATABASE_URL, when set, is inherited: the checks run against the same database as the tests
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,  # the return code is asserted below, with the output as the message
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "no issues" in output
