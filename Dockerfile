# hubcrm in a container: SQLite on the /data volume by default, PostgreSQL with
# HUBCRM_DATABASE_URL=postgresql://user:password@host:5432/dbname. See docs/deployment.md.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HUBCRM_HOST=0.0.0.0 \
    HUBCRM_PORT=8080 \
    HUBCRM_DATABASE_URL=sqlite:////data/hubcrm.db \
    HUBCRM_LOG_FORMAT=json

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install '.[postgres]' \
    && useradd --system --uid 10001 --home-dir /data hubcrm \
    && mkdir -p /data \
    && chown hubcrm /data

USER hubcrm
VOLUME ["/data"]
EXPOSE 8080

HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/_hubcrm/health', timeout=2).status != 200)"]

# Listening beyond loopback: put a TLS terminator in front (docs/deployment.md).
CMD ["hubcrm", "serve", "--tls-terminator"]
