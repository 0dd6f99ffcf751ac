# Two commands: `make run` serves the site with demo content; `make test` runs every check.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.instalado
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= lms.settings.dev
# The one public address (lms/direcciones.py): constancias' QR and printed URL and every
# e-mail link point here. `make run` serves at HOST:PORT; set it to how others reach you.
export LMS_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run servir test setup install lint check tipos pytest paquetes-sistema e2e bench bench-evaluaciones bench-verificacion messages clean
.PHONY: carga carga-pg carga-sqlite

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null || { echo "Se necesita Python 3.11 o posterior ($(PY))."; exit 1; }
	$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Se necesita Python 3.11 o posterior.")'
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q ".[dev]"
	touch $(STAMP)

install: $(STAMP)

messages: install
	@if command -v msgfmt >/dev/null; then $(BIN)/python manage.py compilemessages -v0 --ignore=.venv; \
	else echo "msgfmt no está instalado: se usan los textos fuente en español."; fi

setup: install messages
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py cargar_demo
	$(BIN)/python manage.py recalcular_avance --pendientes -v0

run: setup
	@echo ""
	@echo "  Sitio:        http://$(HOST):$(PORT)/"
	@echo "  Administración (Wagtail): http://$(HOST):$(PORT)/admin/"
	@$(BIN)/python manage.py cuentas_demo
	@echo ""
	@exec $(SERVIR)

# The serving part of `run` alone: runserver and a Celery worker with beat, supervised by
# `manage.py servir`. Ctrl-C or SIGTERM to make stops both in seconds, with nothing left
# behind (tests/lms/test_make_run.py). `exec` makes make's SIGTERM reach the supervisor.
SERVIR = $(BIN)/python manage.py servir --host $(HOST) --port $(PORT)
servir:
	@exec $(SERVIR)

# The layers constancias → cursos → evaluaciones → lms (pyproject.toml, docs/arquitectura.md).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo

check: install messages
	DJANGO_SETTINGS_MODULE=lms.settings.test $(BIN)/python manage.py check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=lms.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

# Types: mypy with django-stubs over the apps (pyproject.toml [tool.mypy]; migrations and
# tests excluded), zero errors. An ignore names its error code and says why.
tipos: install
	DJANGO_SETTINGS_MODULE=lms.settings.test $(BIN)/mypy .

# System packages the suite needs, all from Debian: Chromium for browser journeys (never a
# downloaded browser), zbar to decode the QR codes printed on constancias, DejaVu fonts for PDFs.
PAQUETES_SISTEMA := chromium chromium-driver zbar-tools fonts-dejavu-core
paquetes-sistema:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! command -v zbarimg >/dev/null \
		|| [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Instalando paquetes del sistema: $(PAQUETES_SISTEMA)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PAQUETES_SISTEMA) >/dev/null; \
		else \
			echo "Faltan paquetes del sistema; instálelos con: apt-get install $(PAQUETES_SISTEMA)"; exit 1; \
		fi; \
	fi

# Two pytest-xdist workers (one per core); PYTEST_XDIST= runs the suite in one process.
PYTEST_XDIST ?= -n 2
pytest: install paquetes-sistema
	DJANGO_SETTINGS_MODULE=lms.settings.test $(BIN)/pytest -p no:cacheprovider $(PYTEST_XDIST) $(PYTEST_ARGS)

test: lint check tipos pytest

e2e: install paquetes-sistema
	DJANGO_SETTINGS_MODULE=lms.settings.test $(BIN)/pytest -p no:cacheprovider -m e2e $(PYTEST_ARGS)

# Performance measurements (figures and machine in docs/BENCHMARKS.md). Each command builds
# its own data; bench_cursos and bench_reportes use a throwaway database of their own.
bench: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py bench_constancias $(BENCH_CONSTANCIAS_ARGS)
	$(BIN)/python manage.py bench_cursos $(BENCH_CURSOS_ARGS)
	$(BIN)/python manage.py bench_reportes $(BENCH_REPORTES_ARGS)
	$(BIN)/python manage.py bench_importaciones $(BENCH_IMPORTACIONES_ARGS)

# The public verification page against gunicorn with production settings, PostgreSQL and
# Redis (docs/BENCHMARKS.md): only valid codes (a printed QR), then 10 % invented codes.
bench-verificacion: install
	createdb -h 127.0.0.1 -U postgres lms_bench_verificacion 2>/dev/null || true
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench_verificacion \
	REDIS_URL=redis://127.0.0.1:6379/7 CELERY_BROKER_URL=redis://127.0.0.1:6379/7 \
	DJANGO_SETTINGS_MODULE=lms.settings.test sh -c '$(BIN)/python manage.py migrate --noinput -v0 \
		&& $(BIN)/python -W ignore manage.py bench_verificacion --iniciar-gunicorn --segundos 15 --invalidos 0 \
		&& $(BIN)/python -W ignore manage.py bench_verificacion --iniciar-gunicorn --segundos 15'

# The quiz-engine load test needs the production stack: PostgreSQL on 127.0.0.1, Redis, gunicorn.
bench-evaluaciones: install
	createdb -h 127.0.0.1 -U postgres lms_bench 2>/dev/null || true
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench REDIS_URL=redis://127.0.0.1:6379/5 \
	DJANGO_SETTINGS_MODULE=lms.settings.production DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost \
	DJANGO_SECRET_KEY=$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(60))") \
	sh -c '$(BIN)/python manage.py migrate --noinput -v0 && $(BIN)/python -W ignore manage.py bench_evaluaciones --iniciar-gunicorn --concurrencia 8 --workers 4 --threads 1 $(BENCH_EVALUACIONES_ARGS)'

# Load test (docs/despliegue.md): the deadline scenario plus browsing, against gunicorn and a
# Celery worker on 127.0.0.1, on PostgreSQL + Redis (database lms_carga, Redis db 8, port
# 18100) and on the embedded stack (SQLite + filesystem broker in var/carga-sqlite, port
# 18101). Each run starts from a fresh database. CARGA_ARGS="--participantes 1000" etc.
CARGA_ENTORNO = DJANGO_SETTINGS_MODULE=lms.settings.production DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost \
	DJANGO_SECRET_KEY=$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(60))")
CARGA_PREPARAR = $(BIN)/python manage.py migrate --noinput -v0 && $(BIN)/python manage.py createcachetable \
	&& $(BIN)/python manage.py collectstatic --noinput -v0
carga: carga-pg carga-sqlite

carga-pg: install
	psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS lms_carga" postgres
	psql -h 127.0.0.1 -U postgres -q -c "CREATE DATABASE lms_carga" postgres
	redis-cli -h 127.0.0.1 -n 8 flushdb
	rm -rf var/carga-pg
	$(CARGA_ENTORNO) DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_carga \
	REDIS_URL=redis://127.0.0.1:6379/8 CELERY_BROKER_URL=redis://127.0.0.1:6379/8 LMS_DATA_DIR=var/carga-pg \
	sh -c '$(CARGA_PREPARAR) && $(BIN)/python -W ignore manage.py carga --iniciar-pila \
		--url http://127.0.0.1:18100 $(CARGA_ARGS)'

carga-sqlite: install
	rm -rf var/carga-sqlite
	env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL -u CELERY_RESULT_BACKEND \
	$(CARGA_ENTORNO) LMS_DATA_DIR=var/carga-sqlite \
	sh -c '$(CARGA_PREPARAR) && $(BIN)/python -W ignore manage.py carga --iniciar-pila \
		--url http://127.0.0.1:18101 $(CARGA_ARGS)'

clean:
	rm -rf var .pytest_cache
