# Catalogue: shared core curriculum with per-jurisdiction overrides.
# Build from the repository root (the context must hold uv.lock and the workspace):
#   docker build -f deploy/docker/catalogue.Dockerfile -t licensing-academy/catalogue:dev .
# One image runs the service (default command) and its migrations (`migrate`).

ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

# --- build: locked third-party dependencies first (a cached layer), then the workspace ------
# Only academy-catalogue and the libraries it declares: no academy CLI, local mesh or test kit.
# --no-editable installs them as wheels (migrations and content are package data), so the
# runtime stage needs the virtualenv alone, not the sources.
FROM ${PYTHON_IMAGE} AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --frozen --no-dev --no-editable --package academy-catalogue --no-install-workspace
COPY pyproject.toml uv.lock ./
COPY libs ./libs
COPY services ./services
COPY tools ./tools
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package academy-catalogue

# --- runtime: interpreter and the virtualenv (migrations, content inside); no build tools ---
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="licensing-academy-catalogue" \
      org.opencontainers.image.description="Catalogue: shared core curriculum with per-jurisdiction overrides"
RUN groupadd --system --gid 10001 academy \
 && useradd --system --uid 10001 --gid academy --no-create-home --home-dir /tmp \
        --shell /usr/sbin/nologin academy
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    HOME=/tmp \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CATALOGUE_ENVIRONMENT=production \
    CATALOGUE_HTTP_HOST=0.0.0.0 \
    CATALOGUE_HTTP_PORT=8101
WORKDIR /app
USER 10001:10001
EXPOSE 8101
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('CATALOGUE_HTTP_PORT', '8101'), timeout=4)"]
# Exec form: the service is PID 1 and receives SIGTERM itself (drains, then exits).
ENTRYPOINT ["academy-catalogue"]
CMD ["serve"]
