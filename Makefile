# The two commands of README: `make run` and `make test`. Everything else is set-up they share.
VENV    ?= .venv
PYTHON  ?= python3
DATA    ?= instance
HOST    ?= 127.0.0.1
PORT    ?= 8000
BIN      = $(VENV)/bin
VENDOR   = static/vendor

.PHONY: setup run test test-quick test-deploy lint format clean-demo messages lock

CATALOGUES = $(wildcard translations/*/LC_MESSAGES/messages.po)

# The kiosk's on-screen keyboard: simple-keyboard and the layouts of the kiosk's languages
# (Romanian is built from the English one in kiosk.js; Portuguese uses the Brazilian one).
KEYBOARD_LAYOUTS = english polish spanish brazilian urdu arabic
KEYBOARD = $(VENDOR)/simple-keyboard.js $(VENDOR)/simple-keyboard.css \
	$(KEYBOARD_LAYOUTS:%=$(VENDOR)/layouts/%.js)

setup: $(VENV)/.installed $(VENDOR)/htmx.min.js $(VENDOR)/sse.min.js $(KEYBOARD) $(CATALOGUES:.po=.mo)

# Python dependencies: ranges in pyproject.toml, the exact versions tested in constraints.txt.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

# After changing a dependency in pyproject.toml: pin the versions again (pip-tools).
lock: $(VENV)/.installed
	$(BIN)/pip install --quiet pip-tools==7.6.2
	$(BIN)/pip-compile --quiet --extra test --extra pi --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file constraints.txt pyproject.toml

node_modules/.package-lock.json: package.json package-lock.json .npmrc
	npm ci --no-audit --no-fund
	touch $@

$(VENDOR)/htmx.min.js: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $@

$(VENDOR)/sse.min.js: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/htmx-ext-sse/dist/sse.min.js $@

$(VENDOR)/simple-keyboard.js: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/simple-keyboard/build/index.modern.js $@

$(VENDOR)/simple-keyboard.css: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/simple-keyboard/build/css/index.css $@

$(VENDOR)/layouts/%.js: node_modules/.package-lock.json
	mkdir -p $(VENDOR)/layouts
	cp node_modules/simple-keyboard-layouts/build/layouts/$*.js $@

# The kiosk's translations: .po files are kept in git, .mo files are compiled here.
translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

# After changing the kiosk's words: extract them again and update every catalogue.
messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k N_ --no-location \
		--sort-output --project Doorbook --copyright-holder "Doorbook developers" \
		-w 100 -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching -w 100
	# No creation dates: they would make every branch's catalogues differ on one line.
	sed -i '/^"POT-Creation-Date: /d' translations/messages.pot translations/*/LC_MESSAGES/messages.po

# Loads the fictional demo setting into $(DATA) the first time, then serves it.
run: setup
	@test -f $(DATA)/doorbook.db || $(BIN)/doorbook --data $(DATA) demo
	$(BIN)/doorbook --data $(DATA) serve --host $(HOST) --port $(PORT)

test: setup lint
	$(BIN)/pytest

# While working: the unit and HTTP tests only (no browser, no real processes), on both cores.
test-quick: setup
	$(BIN)/pytest -n 2 -m "not browser and not served"

# deploy/install.sh for real on a booted Debian 12 (systemd-nspawn), checked from inside; prints
# the time to a serving kiosk and the exposure score. Needs root; see README, "The installer,
# proven". The Debian root is cached in $(DEPLOY_CACHE) (about 3 GB).
DEPLOY_CACHE ?= /var/cache/doorbook-test-deploy
test-deploy:
	@if [ "$$(id -u)" -eq 0 ]; then DEPLOY_CACHE=$(DEPLOY_CACHE) tests/booted/test-deploy.sh; \
	else sudo DEPLOY_CACHE=$(DEPLOY_CACHE) tests/booted/test-deploy.sh; fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Starts the demo again from scratch (the demo's data folder only).
clean-demo: setup
	$(BIN)/doorbook --data $(DATA) demo --replace
