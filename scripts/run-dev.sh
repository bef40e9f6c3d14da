#!/bin/sh
# Starts the Celery worker and beat in the background and the web server in front, all on the
# settings of the environment (embedded defaults when nothing is set). Ctrl-C stops all three.
set -eu
VENV=${VENV:-.venv}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
export DEBUG=${DEBUG:-true}

"$VENV/bin/celery" -A sdr_ops worker --pool=solo --loglevel=INFO &
worker=$!
"$VENV/bin/celery" -A sdr_ops beat --loglevel=INFO &
beat=$!
trap 'kill $worker $beat 2>/dev/null; wait 2>/dev/null' EXIT INT TERM

echo
echo "SDR Ops runs at http://$HOST:$PORT/  (log in with one of the demo accounts above; Ctrl-C stops)"
echo
"$VENV/bin/python" manage.py runserver "$HOST:$PORT"
