FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# Pango lays out the PDF documents (WeasyPrint); Noto CJK draws their Chinese.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY . .
RUN pip install --no-cache-dir . \
 && DJANGO_SETTINGS_MODULE=singlewindow.settings.local python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 portal && chown -R portal /app
USER portal
EXPOSE 8000
# granian: HTTP parsed in Rust, the portal's code on 4 threads in each of 3 processes.
CMD ["granian", "--interface", "wsgi", "singlewindow.wsgi:application", "--host", "0.0.0.0", "--port", "8000", \
     "--workers", "3", "--blocking-threads", "4", "--http", "1", "--no-ws", "--respawn-failed-workers"]
