# One image for web, worker and beat; docker-compose.yml picks the command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY rdportfolio ./rdportfolio
COPY programs ./programs
COPY technologies ./technologies
COPY partners ./partners
COPY budgets ./budgets
RUN pip install --upgrade pip && pip install .

COPY . .
RUN useradd --system --uid 1000 rdportfolio \
    && mkdir -p /app/var && chown rdportfolio /app/var
USER rdportfolio

# collectstatic needs settings but no database; a throwaway key is enough at build time.
RUN SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.sqlite3 STATIC_ROOT=/app/staticfiles \
    python manage.py collectstatic --noinput

ENV STATIC_ROOT=/app/staticfiles
EXPOSE 8000
CMD ["gunicorn", "-c", "python:rdportfolio.gunicorn_conf", "rdportfolio.wsgi:application"]
