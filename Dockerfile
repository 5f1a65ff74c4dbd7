# The product's image: web (gunicorn), Celery workers and beat all run from it (compose.yaml).
# Build: docker build -t crm .   Settings come from the environment at run time (deploy/env.example).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=crm.settings.production

# LightGBM's wheel needs the OpenMP runtime; the PostgreSQL client tools serve backups.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 postgresql-client \
    && rm -rf /var/lib/apt/lists/*

# Every package at the exact version and file the lock names (its SHA-256), nothing resolved.
COPY requirements.lock /tmp/requirements.lock
RUN python -m venv /opt/venv \
    && pip install --no-deps --require-hashes -r /tmp/requirements.lock \
    && rm /tmp/requirements.lock

RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home crm
WORKDIR /app
COPY --chown=crm:crm . /app

# Static files are collected into the image (compressed, named after their content).
RUN deploy/collectstatic && mkdir -p /app/media && chown crm:crm /app/media

# Metrics of every process of a container added up (gunicorn's workers, Celery's pool):
# prometheus_client's multiprocess mode; deploy/entrypoint empties the folder at each start.
ENV PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus

USER crm
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "deploy/healthcheck"]

ENTRYPOINT ["deploy/entrypoint"]
# gunicorn reads /app/gunicorn.conf.py: threaded workers (2 threads each), keep-alive 75 s.
CMD ["gunicorn", "crm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--forwarded-allow-ips", "*"]
