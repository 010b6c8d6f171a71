# Two commands set everything up on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test


.PHONY: run test lint bench clean system-deps bundle bundle-deps bundle-test release

# Debian libraries Qt's xcb/offscreen plugins need; installed only if Qt cannot load without them.
QT_DEBS := libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libglib2.0-0 libdbus-1-3 \
           libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 \
           libxcb-render-util0 libxcb-image0 libx11-xcb1 libxrender1 libxi6 libsm6 libice6 fonts-dejavu-core

$(VENV)/bin/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e .
	@touch $@

$(TEST_STAMP): pyproject.toml plugins/bcigui-example/pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e ".[test]"
	$(BIN)/pip install -q -e plugins/bcigui-example
	@touch $(STAMP) $@

# Qt must start offscreen (tests) and, when a display is set, on it (xcb needs more libraries).
QT_CHECK := from PySide6 import QtWidgets; QtWidgets.QApplication([])
system-deps: | $(VENV)/bin/python
	@{ QT_QPA_PLATFORM=offscreen $(BIN)/python -c "$(QT_CHECK)" && \
	   { [ -z "$$DISPLAY" ] || $(BIN)/python -c "$(QT_CHECK)"; }; } >/dev/null 2>&1 \
	  || { echo "Installing Debian libraries Qt needs..."; \
	       SUDO=; [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null && SUDO=sudo; \
	       $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $(QT_DEBS) >/dev/null; }

run: $(STAMP) system-deps
	$(BIN)/bcigui --simulate mi

test: $(TEST_STAMP) system-deps
	$(BIN)/ruff check bcigui tests benchmarks plugins
	$(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

lint: $(TEST_STAMP)
	$(BIN)/ruff check bcigui tests benchmarks plugins
	$(BIN)/lint-imports

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) build *.egg-info

# Self-contained bundle (PyInstaller onedir, dist/bcigui/), built by hand: it takes minutes, so it is not
# part of `make test`. Built in its own venv from a non-editable install; see packaging/README.md.
BUNDLE_VENV := .venv-bundle
BUNDLE_STAMP := $(BUNDLE_VENV)/.installed
VERSION = $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' bcigui/__init__.py)

$(BUNDLE_STAMP): pyproject.toml packaging/requirements-bundle.txt
	$(PY) -m venv $(BUNDLE_VENV)
	$(BUNDLE_VENV)/bin/python -m pip install -q --upgrade pip
	$(BUNDLE_VENV)/bin/pip install -q -r packaging/requirements-bundle.txt .
	@touch $@

# Debian packages whose libraries the bundle must carry (Qt's xcb plugin needs them on the user's machine,
# so they must be present here to be collected), plus Xvfb for the smoke test's real-X11 GUI start.
BUNDLE_DEBS := $(QT_DEBS) xvfb xauth
bundle-deps:
	@missing=; for p in $(BUNDLE_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	 [ -z "$$missing" ] || { echo "Installing Debian packages the bundle needs:$$missing"; \
	   SUDO=; [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null && SUDO=sudo; \
	   $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; }

bundle: $(BUNDLE_STAMP) bundle-deps
	$(BUNDLE_VENV)/bin/pip install -q --no-deps --force-reinstall .
	rm -rf dist/bcigui
	$(BUNDLE_VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN \
	  --distpath dist --workpath build/pyinstaller packaging/bcigui.spec
	@du -sh dist/bcigui

# Build, then run the frozen app through packaging/smoke.sh (needs the source install for the model
# interchange check, and ../shared/data).
bundle-test: bundle $(STAMP)
	packaging/smoke.sh dist/bcigui

# Linux release archive dist/bcigui-VERSION-linux-x86_64.tar.gz: the smoke-tested bundle, desktop entry,
# icon and install script.
release: bundle-test
	packaging/make_release.sh dist/bcigui $(VERSION)
