"""gunicorn's production settings, one place for the Dockerfile, compose and the drills.

    gunicorn -c python:rdportfolio.gunicorn_conf rdportfolio.wsgi:application

Threaded workers: a download a slow client holds for minutes occupies one thread, not a
process, and the main thread keeps the worker's heartbeat (a sync worker streaming a long
file is killed at --timeout). Every value can be overridden on the command line or with
GUNICORN_CMD_ARGS.
"""

import os

import gunicorn.http.wsgi

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 60
# A restart lets downloads in flight finish (up to five minutes).
graceful_timeout = 300
accesslog = "-"
# No request line or header field longer than this reaches Django (gunicorn's own defaults).
limit_request_line = 4094
limit_request_field_size = 8190

# Responses do not advertise the server software: gunicorn has no setting for its "Server"
# header, so its value is replaced here, before any worker answers.
gunicorn.http.wsgi.SERVER = "rdportfolio"
