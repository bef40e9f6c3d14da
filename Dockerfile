# Production image: gunicorn serving the app, the same image runs the Celery worker and beat.
# CI runs scripts/image-steps.sh (the build-time steps below) on every change, since no
# container engine exists where CI runs.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/build-assets.mjs scripts/
RUN npm run build

FROM python:3.13-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=sdr_ops.settings_production
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
COPY --from=assets /app/static/vendor static/vendor
# Translations, static files, the deployment checklist and the migrations, with a throwaway
# secret and database (the same script CI runs).
RUN sh scripts/image-steps.sh
RUN useradd --create-home --uid 1000 sdrops && mkdir -p /app/var/metrics /app/var/beat \
    && chown -R sdrops /app/var
USER sdrops
EXPOSE 8000
# Timeout, workers and bind address: sdr_ops/gunicorn_conf.py.
CMD ["gunicorn", "-c", "python:sdr_ops.gunicorn_conf", "sdr_ops.wsgi:application"]
