"""gunicorn's settings for the logbook: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

With several workers, /metrics adds up the counters of all of them when PROMETHEUS_MULTIPROC_DIR
names an empty directory writable by the service (emptied at each start)."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = None  # each request is a JSON line of the app's own (logbook.request)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
