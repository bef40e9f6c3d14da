# Production image: gunicorn serving the app, the same image runs the Celery worker and beat.
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
# Build-time steps need settings but no real secret or database.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    sh -c 'if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then python manage.py compilemessages; fi \
    && python manage.py collectstatic --noinput -v 0'
RUN useradd --create-home --uid 1000 sdrops && mkdir -p /app/var && chown -R sdrops /app/var
USER sdrops
EXPOSE 8000
CMD ["gunicorn", "sdr_ops.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
