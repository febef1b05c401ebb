# One image for web, worker and beat (docker-compose.yml picks the command).
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error \
 && mkdir -p static/vendor/echarts && cp node_modules/echarts/dist/echarts.min.js static/vendor/echarts/

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=0 VAR_DIR=/app/var
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-microhei postgresql-client \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements/base.lock requirements/base.lock
RUN pip install --no-cache-dir -r requirements/base.lock
COPY . .
COPY --from=assets /src/static/vendor static/vendor
RUN SECRET_KEY=build-only-collectstatic-key-0123456789abcdefghij python manage.py collectstatic --no-input \
 && useradd --system --home /app shequ && mkdir -p /app/var/media && chown -R shequ /app/var
USER shequ
EXPOSE 8000
CMD ["gunicorn", "community.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
