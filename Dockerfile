# crowdhire API image. Build: docker build -t crowdhire .
# Unexercised here (no Docker engine on our machines); tests/test_deploy_files.py checks it statically.

# --- build: a venv with the dependencies (own layer, cached until pyproject.toml changes), then the app
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
# An empty package lets pip resolve and install every dependency before the source is copied.
RUN mkdir crowdhire && touch crowdhire/__init__.py \
    && /opt/venv/bin/pip install . \
    && /opt/venv/bin/pip uninstall -y crowdhire
COPY crowdhire ./crowdhire
RUN /opt/venv/bin/pip install --no-deps .

# --- runtime: slim base, the venv only, an unprivileged user
FROM python:3.11-slim
RUN groupadd --system --gid 10001 crowdhire \
    && useradd --system --uid 10001 --gid crowdhire --no-create-home --shell /usr/sbin/nologin crowdhire \
    && install -d -o crowdhire -g crowdhire -m 0700 /backups  # the backup service's volume
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    CROWDHIRE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    LOG_FORMAT=json
USER crowdhire
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=2)"]
# `crowdhire serve` runs uvicorn with proxy headers (FORWARDED_ALLOW_IPS), JSON logs and a
# graceful shutdown bounded by SHUTDOWN_TIMEOUT_SECONDS; uvicorn handles SIGTERM.
STOPSIGNAL SIGTERM
CMD ["crowdhire", "serve"]
