# The portal's image: one image for every role (web, worker per queue, beat, migrations), chosen by the command.
# Not built on the development machine (no registry is reachable there); `make topology` runs the same processes
# from the checkout, and compose.yaml wires this image the same way.

# --- build: wheels and static files -------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends build-essential gettext libpq-dev libmagic1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY requirements.txt .
RUN python -m venv /venv && /venv/bin/pip install -r requirements.txt
COPY . .
# Static files collected at build with the production settings; the messages compiled.
RUN DEBUG=false SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=localhost STATIC_ROOT=/src/var/staticfiles \
    DATABASE_URL=postgres://unused@localhost/unused REDIS_URL=redis://localhost:6379/0 \
    /venv/bin/python manage.py collectstatic --noinput \
    && msgfmt -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po

# --- runtime: no compiler, a user without privileges --------------------------------------------------------------
FROM python:3.11-slim-bookworm AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 libmagic1 postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /app --shell /usr/sbin/nologin rbx
COPY --from=build /venv /venv
COPY --from=build --chown=rbx:rbx /src /app
WORKDIR /app
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 DEBUG=false STATIC_ROOT=/app/var/staticfiles LOG_FORMAT=json
USER rbx
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
# The web role by default; compose.yaml gives the worker, beat and migrate roles their own commands.
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "--bind", "0.0.0.0:8000", "rbx_portal.wsgi"]
