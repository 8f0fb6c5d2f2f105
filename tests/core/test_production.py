"""Production is not a demo: it needs real secrets, never seeds demo data, and compose keeps them apart."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
GOOD_SECRET = secrets.token_urlsafe(48)
DEV_KEY = "ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtaW4tcHJvZCE="
GOOD_KEY = base64.b64encode(os.urandom(32)).decode()


def _production(extra: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY")}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ALLOWED_HOSTS="example.org",
        PUBLIC_BASE_URL="https://debts.example.org",
    )
    env.update(extra)
    return subprocess.run(  # noqa: PLW1510 (the return code is asserted)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"FIELD_ENCRYPTION_KEY": GOOD_KEY}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": GOOD_SECRET}, "FIELD_ENCRYPTION_KEY is not set"),
        (
            {"SECRET_KEY": "change-me-insecure-local-demo-secret-key", "FIELD_ENCRYPTION_KEY": GOOD_KEY},
            "SECRET_KEY is a placeholder",
        ),
        (
            {"SECRET_KEY": GOOD_SECRET, "FIELD_ENCRYPTION_KEY": DEV_KEY},
            "FIELD_ENCRYPTION_KEY is a placeholder",
        ),
        ({"SECRET_KEY": "short", "FIELD_ENCRYPTION_KEY": GOOD_KEY}, "at least 50 characters"),
        ({"SECRET_KEY": GOOD_SECRET, "FIELD_ENCRYPTION_KEY": "bm90LTMyLWJ5dGVz"}, "32 random bytes"),
    ],
)
def test_production_refuses_to_start_without_real_secrets(extra, named):
    result = _production(extra, "check")
    assert result.returncode != 0
    assert named in result.stderr


def test_production_refuses_to_start_without_its_public_address():
    result = _production(
        {"SECRET_KEY": GOOD_SECRET, "FIELD_ENCRYPTION_KEY": GOOD_KEY, "PUBLIC_BASE_URL": ""}, "check"
    )
    assert result.returncode != 0
    assert "PUBLIC_BASE_URL" in result.stderr


def test_production_starts_with_real_secrets():
    result = _production({"SECRET_KEY": GOOD_SECRET, "FIELD_ENCRYPTION_KEY": GOOD_KEY}, "check")
    assert result.returncode == 0, result.stderr


def test_demo_data_is_refused_under_production_settings():
    result = _production({"SECRET_KEY": GOOD_SECRET, "FIELD_ENCRYPTION_KEY": GOOD_KEY}, "seed_demo")
    assert result.returncode != 0
    assert "production" in (result.stderr + result.stdout).lower()


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def _command(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else str(command)


def test_compose_production_services_never_seed_and_need_every_secret():
    services = _compose()["services"]
    production = {name: s for name, s in services.items() if "demo" not in s.get("profiles", [])}
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(production)
    for name, service in production.items():
        assert "seed_demo" not in _command(service), name
        environment = service.get("environment", {})
        if environment.get("DJANGO_SETTINGS_MODULE"):
            assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
            for secret in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY"):
                assert environment[secret].startswith("${" + secret + ":?"), (name, secret)
            assert ":?" in environment["DATABASE_URL"]
    # The image's own entrypoint does not seed either.
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "seed_demo" not in dockerfile


def test_compose_keeps_a_demo_profile_to_try_it_out():
    services = _compose()["services"]
    demo = [s for s in services.values() if "demo" in s.get("profiles", [])]
    assert demo
    assert any("seed_demo" in _command(s) for s in demo)
    assert all(s["environment"]["DJANGO_SETTINGS_MODULE"] != "config.settings.production" for s in demo)


def test_create_centre_admin_makes_the_first_account(db, monkeypatch):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    monkeypatch.setenv("CENTRE_ADMIN_PASSWORD", "a-long-Passphrase-2026")
    call_command("create_centre_admin", centre="xm", centre_name="厦门中心", username="firstadmin")
    user = get_user_model().objects.get(username="firstadmin")
    assert user.membership.role == "centre_admin"
    assert user.membership.organisation.centre.code == "xm"
    assert user.check_password("a-long-Passphrase-2026")
