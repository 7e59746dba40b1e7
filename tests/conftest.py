"""Fixtures: a fresh data folder per test (no shared state), the demo setting, the CLI, and a
live server plus Debian's Chromium for browser tests."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server

from doorbook import create_app, credentials, settings
from doorbook.cli import cli as doorbook_cli
from doorbook.db import get_db
from doorbook.demo import load as load_demo

PROJECT = Path(__file__).resolve().parent.parent
DEMO_FILES = PROJECT / "doorbook" / "demo_data"
# CSRF is proved by tests of its own (test_csrf.py); elsewhere the test client skips it.
TEST_CONFIG = {"TESTING": True, "WTF_CSRF_ENABLED": False}
# The demo setting's time zone (its declared default): what settings.timezone(db) gives there.
DEMO_ZONE = settings.DEFAULTS["timezone"]
# scrypt is proved where it matters (test_credentials); elsewhere a log-in costs microseconds.
credentials.use_cheap_hash_for_tests()


def _reuse_url_builders() -> None:
    """Every test builds an app, and Werkzeug compiles two URL builders per route (about 300
    small Python functions through `ast` and `compile`): half of creating an app. A builder
    depends only on the rule's text, its parts and its defaults, so the test process compiles
    each once and shares it (werkzeug is pinned in constraints.txt; a server builds its app
    once and never needs this)."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    builders: dict = {}

    def shared(self, append_unknown: bool = True):
        key = (
            self.rule,
            self.subdomain,
            self.host,
            self.merge_slashes,
            tuple(self._trace),
            tuple(sorted((k, repr(v)) for k, v in (self.defaults or {}).items())),
            tuple(sorted((k, type(v).__name__) for k, v in self._converters.items())),
            append_unknown,
        )
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = shared


_reuse_url_builders()


# The quick suite (`pytest -m "not browser and not served"`) starts no process: a test that
# starts one (doorbook serve, Litestream, sshd, Caddy, a script) is marked `served`, so the
# quick figure in README is what it says. This keeps the marks honest.
_running: list[pytest.Item] = []
_popen_init = subprocess.Popen.__init__


def _popen_only_when_marked(self, *args, **kwargs):
    item = _running[-1] if _running else None
    if item is not None and not any(item.get_closest_marker(m) for m in ("served", "browser")):
        raise RuntimeError(
            f"{item.nodeid} starts a process ({args[0] if args else kwargs.get('args')!r}): "
            "mark it @pytest.mark.served"
        )
    _popen_init(self, *args, **kwargs)


subprocess.Popen.__init__ = _popen_only_when_marked


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _running.append(item)
    try:
        return (yield)
    finally:
        _running.pop()


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory) -> Path:
    """An empty data folder, migrated once; tests get a copy (migrating takes time)."""
    folder = tmp_path_factory.mktemp("empty-template") / "data"
    create_app({"DATA_DIR": str(folder), **TEST_CONFIG})
    return folder


@pytest.fixture
def app(tmp_path, empty_template):
    """An app on an empty data folder of its own (migrated, no people)."""
    data = tmp_path / "data"
    shutil.copytree(empty_template, data)
    return create_app({"DATA_DIR": str(data), **TEST_CONFIG})


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo setting loaded once; tests get a copy (hashing passwords takes time)."""
    folder = tmp_path_factory.mktemp("demo-template")
    demo = create_app({"DATA_DIR": str(folder)})
    with demo.app_context():
        load_demo(get_db())
    return folder


@pytest.fixture(scope="session")
def demo_office_template(tmp_path_factory) -> Path:
    """`doorbook group demo` built once: three sites, replicated, copied; tests copy it."""
    from doorbook.group_demo import build

    folder = tmp_path_factory.mktemp("group-demo") / "office"
    list(build(folder))
    return folder


@pytest.fixture
def demo_app(tmp_path, demo_template):
    """An app on its own copy of the demo setting."""
    data = tmp_path / "demo"
    shutil.copytree(demo_template, data)
    return create_app({"DATA_DIR": str(data), **TEST_CONFIG})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


@pytest.fixture
def db(app):
    with app.app_context():
        yield get_db()


@pytest.fixture
def demo_db(demo_app):
    with demo_app.app_context():
        yield get_db()


@pytest.fixture
def run_cli(monkeypatch, tmp_path):
    """Run `doorbook ...` in-process against a data folder of this test's own."""
    monkeypatch.delenv("DOORBOOK_DATA", raising=False)
    runner = CliRunner()

    def invoke(*args: str, data: Path | None = None, input: str | None = None):
        folder = data or (tmp_path / "cli-data")
        return runner.invoke(doorbook_cli, ["--data", str(folder), *args], input=input)

    return invoke


# ---- Browser tests: Debian's Chromium through pytest-playwright ----


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


# A Content-Security-Policy violation is a broken page (a style or script that silently does
# not apply). Every page in a browser test reports them to the console; the test then fails.
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " +
                (event.blockedURI || "inline") + " at " + event.sourceFile + ":" +
                event.lineNumber + ":" + event.columnNumber + " " + (event.sample || ""));
});
"""


def _is_csp_violation(text: str) -> bool:
    return text.startswith("CSP violation:") or "Content Security Policy" in text


@pytest.fixture(autouse=True)
def no_csp_violations(request, monkeypatch):
    """Fail any browser test whose pages met a CSP violation (every context it opens)."""
    if request.node.get_closest_marker("browser") is None:
        yield []
        return
    browser = request.getfixturevalue("browser")
    violations: list[str] = []

    def watch(context):
        context.add_init_script(CSP_REPORTER)
        context.on(
            "console",
            lambda message: (
                _is_csp_violation(message.text)
                and violations.append(f"{message.page.url if message.page else ''}: {message.text}")
            ),
        )
        return context

    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        return watch(new_context(*args, **kwargs))

    def watched_page(*args, **kwargs):
        context = watched_context(*args, **kwargs)
        page = context.new_page()
        page.on("close", lambda _page: context.close())
        return page

    monkeypatch.setattr(browser, "new_context", watched_context)
    monkeypatch.setattr(browser, "new_page", watched_page)
    yield violations
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_demo(demo_app):
    with LiveServer(demo_app) as server:
        yield server


@pytest.fixture
def screenshots() -> Path:
    folder = PROJECT / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def kiosk(browser):
    """The entrance touchscreen: a browser of its own at 800x480."""
    context = browser.new_context(viewport={"width": 800, "height": 480})
    yield context.new_page()
    context.close()


@pytest.fixture
def panel(browser, live_demo):
    """The manager's panel, logged in and live, in a browser of its own."""
    from playwright.sync_api import expect

    from tests.admin_helpers import MANAGER
    from tests.browser import log_in_to_panel

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    log_in_to_panel(page, live_demo.url, MANAGER)
    expect(page.get_by_text("Live: updates appear here as they happen.")).to_be_visible()
    yield page
    context.close()
