# syntax=docker/dockerfile:1
#
#   docker build -t faq-bot .
#   docker run -d --name faq-bot --restart unless-stopped --env-file .env \
#       -v faq-bot-data:/app/var faq-bot
#
# Two stages: the first turns the project and its dependencies into wheels (all of them ship
# binary wheels for linux x86_64, so no compiler is needed), the second installs only those
# wheels, from the local folder, into a clean image that runs as an unprivileged user. The wheels
# are bind-mounted, not copied, so they take no room in the final image.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
# README.md is the package's long description (pyproject.toml: readme), so the build needs it.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
RUN pip wheel --wheel-dir /wheels .

FROM ${PYTHON_IMAGE}
# /stats draws its chart with matplotlib, which wants a writable cache folder: the bot's home is
# not writable, /tmp is (with --read-only, add --tmpfs /tmp).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    FAQ_PATH=/app/data/faq.toml \
    DATABASE_PATH=/app/var/faq.sqlite3 \
    MPLCONFIGDIR=/tmp/matplotlib \
    MPLBACKEND=Agg
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels faq-bot
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /app faqbot
WORKDIR /app
# The knowledge base stays root's and read-only for the bot: owners' in-chat additions live in
# the database. To serve another FAQ, mount it: -v ./my-faq.toml:/app/data/faq.toml:ro
COPY data ./data
# The database and the polling heartbeat; the only folder the bot writes to.
RUN mkdir -p /app/var && chown faqbot:faqbot /app/var
VOLUME ["/app/var"]
USER faqbot
# Webhook mode (BOT_MODE=webhook) listens here, behind the TLS reverse proxy; polling mode
# listens nowhere.
EXPOSE 8080
# Webhook mode: GET /healthz on the bot's own port. Polling mode: Telegram answered getUpdates
# less than 90 s ago. One line in `docker inspect`, exit 0 or 1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot", "health"]
# The bot stops on SIGTERM (docker stop): updates in hand are finished, the database closed.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot", "run"]
