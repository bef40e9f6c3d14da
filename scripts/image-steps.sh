#!/bin/sh
# The build-time steps of the production image. The Dockerfile runs this script, and CI runs
# it too (where no container engine exists), so a step that would break the image breaks CI.
# It needs settings but no real secret or database: a throwaway secret and an SQLite file.
set -eu
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export DJANGO_SETTINGS_MODULE=sdr_ops.settings_production
export SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export ALLOWED_HOSTS=localhost
export DATABASE_URL="sqlite:///$tmp/build.sqlite3"
export SDR_OPS_VAR_DIR="$tmp/var"
unset CELERY_BROKER_URL CELERY_RESULT_BACKEND || true

if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then
  "$PY" manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
fi
# --clear: start from an empty folder, as the image does.
"$PY" manage.py collectstatic --noinput --clear -v 0
# The deployment checklist with warnings counted as failures.
"$PY" manage.py check --deploy --fail-level WARNING
# Every migration applies to an empty database, and none is missing for the models.
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py migrate --check
"$PY" manage.py makemigrations --check --dry-run -v 0
