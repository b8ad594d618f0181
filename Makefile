# jijian — `make run` starts the platform on the embedded default; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/.venv
UV ?= $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
PY := $(CURDIR)/.venv/bin/python
TEST_APT := chromium fonts-noto-cjk poppler-utils libpango-1.0-0 libpangoft2-1.0-0 janus janus-tools ffmpeg gettext
PYTEST_ARGS ?=

.PHONY: help run setup test e2e lint audit bench deps sysdeps-test clean messages

help:
	@echo "make run    启动平台（SQLite、随州演示数据、Web + 后台任务），Ctrl-C 停止"
	@echo "make test   安装测试所需并运行全部测试"
	@echo "make lint   分层检查（import-linter）、ruff、mypy、迁移检查"
	@echo "make audit  依赖漏洞审计（pip-audit，需能访问 PyPI 漏洞数据）"
	@echo "make bench  在 PostgreSQL 上运行性能基准（DATABASE_URL）"
	@echo "make e2e    只运行浏览器端到端测试"
	@echo "make messages  更新翻译目录（繁体中文由简体原文经 OpenCC 转换；需 gettext 工具）"

$(CURDIR)/.tools/bin/uv:
	@command -v python3 >/dev/null || { echo "需要 python3 (>= 3.11)"; exit 1; }
	@python3 -m venv .tools 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then apt-get update -qq && apt-get install -y -qq python3-venv python3-pip >/dev/null && python3 -m venv .tools; \
	  else echo "缺少 python3-venv：请安装 python3-venv 后重试"; exit 1; fi; }
	.tools/bin/pip install -q uv

deps: $(UV)
	$(UV) sync --frozen
	@$(MAKE) --no-print-directory node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; \
	  else echo "缺少 npm：请安装 nodejs 和 npm（用于安装本地前端资源，不使用 CDN）"; exit 1; fi; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

run: deps
	@command -v janus >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq janus janus-tools ffmpeg >/dev/null; \
	  else echo "未安装 Janus：视频接访不可用（请以 root 执行 apt-get install janus janus-tools ffmpeg）"; fi; }
	$(CURDIR)/.venv/bin/jijian setup
	@$(CURDIR)/.venv/bin/jijian check_port
	$(CURDIR)/.venv/bin/honcho start -f Procfile

sysdeps-test:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0" || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	command -v janus >/dev/null || missing="$$missing janus"; \
	command -v janus-pp-rec >/dev/null || missing="$$missing janus-tools"; \
	command -v ffprobe >/dev/null || missing="$$missing ffmpeg"; \
	command -v xgettext >/dev/null || missing="$$missing gettext"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "安装测试所需系统软件包:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TEST_APT) >/dev/null; \
	  else echo "缺少系统软件包:$$missing（请以 root 运行，或先执行 apt-get install$$missing）"; exit 1; fi; \
	fi

# On SQLite a second pass runs the concurrency tests and the browser tests (marker `concurrent`) against
# a test database in a file, as the embedded default's is: the first pass's in-memory database cannot
# serve threads at once.
test: deps sysdeps-test
	$(PY) -m pytest $(PYTEST_ARGS)
	@case "$${DATABASE_URL:-sqlite}" in sqlite*) \
	  dir=$$(mktemp -d); \
	  JIJIAN_TEST_SQLITE_FILE=$$dir/test.sqlite3 $(PY) -m pytest -m concurrent $(PYTEST_ARGS); status=$$?; \
	  rm -rf $$dir; [ $$status = 5 ] && status=0; exit $$status;; esac  # 5: PYTEST_ARGS selected none

e2e: deps sysdeps-test
	$(PY) -m pytest -m e2e $(PYTEST_ARGS)

lint: deps
	$(CURDIR)/.venv/bin/lint-imports --no-cache
	$(CURDIR)/.venv/bin/ruff check src tests bench scripts
	$(CURDIR)/.venv/bin/ruff format --check src tests bench scripts
	JIJIAN_ENV=test $(CURDIR)/.venv/bin/mypy
	JIJIAN_ENV=test $(CURDIR)/.venv/bin/jijian makemigrations --check --dry-run

# Known vulnerabilities of the pinned dependencies: needs PyPI's JSON API (or OSV), which an intranet
# build machine does not reach, so it is its own target rather than part of lint.
audit: deps
	@req=$$(mktemp); $(UV) export --frozen --no-dev --no-emit-project --no-hashes -o $$req >/dev/null; \
	$(CURDIR)/.venv/bin/pip-audit --strict --disable-pip -r $$req --no-deps; status=$$?; rm -f $$req; exit $$status

bench: deps
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf .venv .tools node_modules var

# The translation catalogues (src/jijian/locale): the msgids gathered from the code, templates and scripts
# (xgettext, Debian's gettext), the Traditional Chinese filled by OpenCC (scripts/hant_catalogue.py), then
# compiled. The .po and .mo files are committed, so running the platform needs none of these tools.
# tests/core/test_languages.py fails when the code has words the committed catalogue lacks.
MESSAGES_ARGS := -l zh_Hant --no-obsolete --add-location=file
messages:
	cd src/jijian && JIJIAN_ENV=test $(CURDIR)/.venv/bin/jijian makemessages $(MESSAGES_ARGS) --ignore "*/migrations/*"
	cd src/jijian && JIJIAN_ENV=test $(CURDIR)/.venv/bin/jijian makemessages -d djangojs $(MESSAGES_ARGS) --ignore "*/vendor/*"
	$(PY) scripts/hant_catalogue.py src/jijian/locale/zh_Hant/LC_MESSAGES/django.po src/jijian/locale/zh_Hant/LC_MESSAGES/djangojs.po
	cd src/jijian && JIJIAN_ENV=test $(CURDIR)/.venv/bin/jijian compilemessages -l zh_Hant
	msgfmt --check -o src/jijian/cli_locale/zh_CN/LC_MESSAGES/jijian_cli.mo src/jijian/cli_locale/zh_CN/LC_MESSAGES/jijian_cli.po
