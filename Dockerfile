# One image for web, worker and beat (docker-compose.yml picks the command).
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error \
 && mkdir -p static/vendor/echarts static/vendor/fonts \
 && cp node_modules/echarts/dist/echarts.min.js static/vendor/echarts/ \
 && cp node_modules/@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf static/vendor/fonts/NotoSansSC-Regular.ttf

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=0 VAR_DIR=/app/var
WORKDIR /app
COPY requirements/base.lock requirements/base.lock
RUN pip install --no-cache-dir -r requirements/base.lock
COPY . .
COPY --from=assets /src/static/vendor static/vendor
# collectstatic reads the settings but opens no connection: a placeholder URL keeps the embedded server out of the build
RUN SECRET_KEY=build-only-collectstatic-key-0123456789abcdefghij DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --no-input \
 && useradd --system --home /app shequ && mkdir -p /app/var/media && chown -R shequ /app/var
USER shequ
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
