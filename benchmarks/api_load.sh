#!/usr/bin/env bash
# Requests per second of the API against bare Django views returning the same rows.
#
# gunicorn (3 sync workers) serves the benchmark database that
# benchmarks/share_recompute.py fills (a million budget lines); wrk sends
# 8 connections for 5 s at each URL, API and bare in turn, three rounds.
# Run from the project root:
#
#     bash benchmarks/api_load.sh            # needs wrk (apt-get install wrk)
#     DURATION=10s ROUNDS=5 bash benchmarks/api_load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/rdportfolio_bench}"
export SECRET_KEY="benchmark-only-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export DEBUG=false SECURE_SSL_REDIRECT=false ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING
export API_THROTTLE_USER="100000000/minute"  # the load is the point here
PORT="${PORT:-8199}"
DURATION="${DURATION:-5s}"
PY=.venv/bin/python

if [ "$($PY manage.py shell -c 'from budgets.models import BudgetLine; print(BudgetLine.objects.count())' 2>/dev/null | tail -1)" -lt 100000 ]; then
  echo "The benchmark database is nearly empty: run .venv/bin/python benchmarks/share_recompute.py first." >&2
  exit 1
fi
TOKEN=$($PY manage.py shell -c '
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
user, _ = User.objects.get_or_create(username="bench-analyst")
user.groups.add(Group.objects.get(name="Analyst"))
print(Token.objects.get_or_create(user=user)[0].key)' | tail -1)

.venv/bin/gunicorn benchmarks.wsgi:application --bind "127.0.0.1:$PORT" --workers 3 --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; wait $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/health/" >/dev/null && break; sleep 0.2; done

# Each API URL and its bare floor take turns, ROUNDS times, so that whatever else the machine
# is doing falls on both alike; the medians and their ratio are printed.
ROUNDS="${ROUNDS:-3}"
rps_of() {
  wrk -t2 -c8 -d"$DURATION" -H "Authorization: Token $TOKEN" "http://127.0.0.1:$PORT$1" > /tmp/wrk-out.txt
  if grep -qE "Non-2xx|Socket errors" /tmp/wrk-out.txt; then
    echo "errors at $1:" >&2; grep -E "Non-2xx|Socket errors" /tmp/wrk-out.txt >&2; exit 1
  fi
  awk '/Requests\/sec/ {print $2}' /tmp/wrk-out.txt
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

printf "%-26s %14s %14s %8s %s\n" "requests/s (8 conn.)" "API" "bare floor" "ratio" "goal"
for pair in "/api/v1/budget-lines/ /bare/budget-lines/ 0.70" "/api/v1/share/ /bare/share/ 0.50"; do
  set -- $pair
  api_runs="" bare_runs=""
  # Warm both first (each gunicorn worker's first requests import, connect and prepare):
  # the rounds then compare steady states, not a cold start against a warm one.
  DURATION=2s rps_of "$1" >/dev/null
  DURATION=2s rps_of "$2" >/dev/null
  for _ in $(seq 1 "$ROUNDS"); do
    api_runs="$api_runs $(rps_of "$1")"
    bare_runs="$bare_runs $(rps_of "$2")"
  done
  api=$(echo "$api_runs" | median)
  bare=$(echo "$bare_runs" | median)
  ratio=$(awk -v a="$api" -v b="$bare" 'BEGIN {printf "%.2f", a / b}')
  printf "%-26s %14s %14s %8s >= %s   (API runs:%s; bare:%s)\n" "$1" "$api" "$bare" "$ratio" "$3" "$api_runs" "$bare_runs"
done
