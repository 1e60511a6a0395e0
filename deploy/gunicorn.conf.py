"""Gunicorn settings for a web node (`gunicorn -c deploy/gunicorn.conf.py rbx_portal.wsgi`).

Every value can be overridden by the environment (GUNICORN_*), so the same file serves the topology test, the
compose stack and a host of its own. Sync workers: the portal's requests are short and database-bound; a slow
client is nginx's problem (it buffers requests and responses), not a worker's.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Workers from cores: 2 per core + 1 (gunicorn's advice for sync workers), at most GUNICORN_MAX_WORKERS.
workers = int(
    os.environ.get("GUNICORN_WORKERS")
    or min(multiprocessing.cpu_count() * 2 + 1, int(os.environ.get("GUNICORN_MAX_WORKERS", "9")))
)
worker_class = "sync"
# A request that takes longer than this is a bug or an attack; nginx gives up first (proxy_read_timeout 25 s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 5  # nginx keeps upstream connections open (keepalive in the upstream block)
# Leak safety: a worker is replaced after this many requests, with jitter so they do not all restart at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# Graceful reload: `kill -HUP <master>` starts new workers with new code and retires the old ones after
# their requests. preload_app stays off so that a reload really loads new code.
preload_app = False
# The proxy in front sets X-Forwarded-For/-Proto; Django reads them (TRUSTED_PROXY_COUNT, SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "rbx-web")
