# syntax=docker/dockerfile:1
# Production image: gunicorn serving config.wsgi with the production settings.
# The same image runs the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # The code runs from /app (templates, static, locale live beside it), ahead of the
    # copy that `pip install .` puts in site-packages.
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings.production

# WeasyPrint's libraries, CJK fonts for the PDF notices, gettext for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-cjk \
        libharfbuzz-subset0 \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md* ./
RUN pip install . && pip uninstall -y debt-dispute-platform && rm -rf build ./*.egg-info

COPY . .
RUN pip install --no-deps . && rm -rf build ./*.egg-info

# Dummy values, used only so the production settings load for these build steps;
# the real ones come from the environment at run time.
ARG BUILD_SECRET_KEY=collectstatic-only-build-step-value-not-used-at-run-time-0123456789
ARG BUILD_FIELD_ENCRYPTION_KEY=Y29sbGVjdHN0YXRpYy1vbmx5LW5vdC1hLWtleS0zMmI=
ARG BUILD_ALLOWED_HOSTS=localhost
ARG BUILD_PUBLIC_BASE_URL=https://build.invalid
RUN SECRET_KEY="$BUILD_SECRET_KEY" \
    PUBLIC_BASE_URL="$BUILD_PUBLIC_BASE_URL" \
    FIELD_ENCRYPTION_KEY="$BUILD_FIELD_ENCRYPTION_KEY" \
    ALLOWED_HOSTS="$BUILD_ALLOWED_HOSTS" \
    sh -c 'set -e; \
        if find . -name "*.po" -not -path "./staticfiles/*" | grep -q .; then \
            python manage.py compilemessages; \
        fi; \
        python manage.py collectstatic --noinput'

RUN groupadd --system app \
    && useradd --system --gid app --uid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin app \
    && mkdir -p /app/media/private \
    && chown -R app:app /app/media

USER app

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "-b", "0.0.0.0:8000", "-w", "3", "--access-logfile", "-"]
