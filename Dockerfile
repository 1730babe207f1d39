# syntax=docker/dockerfile:1
# Two stages: wheels are built with the compiler toolchain, the runtime image has only what runs.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FAQ_PATH=/app/data/faq.toml \
    DATABASE_PATH=/app/var/faq.sqlite3
RUN useradd --create-home --uid 10001 faqbot
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
COPY data ./data
RUN mkdir -p /app/var && chown -R faqbot:faqbot /app/var /app/data
USER faqbot
VOLUME ["/app/var"]
# The bot's own health probe: in webhook mode it asks /healthz, in polling mode it checks that
# the process can load its settings and knowledge base.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-m", "bot", "health"]
CMD ["python", "-m", "bot"]
