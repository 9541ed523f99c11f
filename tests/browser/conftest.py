"""Browser tests: the real app on a live loopback server, driven by Debian's chromium.

Every page a test reaches is checked twice: axe-core runs in the browser on what the person sees
(``check(page, name)``), and the HTML the server sent is kept so that one run of the Nu HTML
Checker (vnu) validates them all at the end (``test_browser_html_validity.py``).

Tools come from ``tests/browser/package.json`` (``npm install --prefix tests/browser``); when they
or chromium are missing the tests are skipped, unless the ``CI`` variable is set: then they fail.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from guichet import create_app
from guichet.models.base import db
from tests.support.accounts import PASSWORD, Factory
from tests.support.servers import SmsGateway, SmtpServer, wait_for

HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = HERE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "runs_last: runs after every other browser test (the HTML validation)")


def pytest_collection_modifyitems(config, items):
    """Every test here is a browser test; the HTML validation runs after the flows."""
    mine = [item for item in items if HERE in Path(str(item.path)).parents]
    for item in mine:
        item.add_marker(pytest.mark.browser)
    last = [item for item in mine if item.get_closest_marker("runs_last")]
    if last:
        items[:] = [item for item in items if item not in last] + last


def missing(what: str) -> None:
    """Skip on a development machine; fail in CI, where everything must be installed."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI is set, so this is an error)")
    pytest.skip(what)


# --- Browser --------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        missing(f"chromium not found at {CHROMIUM} (apt-get install chromium, or set "
                "CHROMIUM_PATH)")
    return {**browser_type_launch_args,
            "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live):
    return {**browser_context_args, "base_url": live.url, "locale": "fr-CH",
            "timezone_id": "Europe/Zurich"}


@pytest.fixture
def context(context):
    """A page that does not answer within seconds is a failure; no test waits 30 s."""
    context.set_default_timeout(10_000)
    context.set_default_navigation_timeout(10_000)
    return context


# --- The live server ------------------------------------------------------------------------

class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's request handler, silent, and closing the response when the browser drops the
    connection: a page left before its style sheet arrived resets the socket while werkzeug drains
    it, and werkzeug then skips closing the response, leaving the static file open."""

    def log_request(self, *args, **kwargs):
        pass

    def connection_dropped(self, error, environ=None):
        response = (environ or {}).get(_RESPONSE_KEY)
        if hasattr(response, "close"):
            response.close()


_RESPONSE_KEY = "tests.live.response"


class _KeepsResponse:
    """The app as the live server calls it: it leaves each response in the request's environ so
    that ``_QuietHandler.connection_dropped`` can close it."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        response = self.app(environ, start_response)
        environ[_RESPONSE_KEY] = response
        return response


@dataclass
class LiveServer:
    """The app served on 127.0.0.1 with its SMTP server (``mailbox``) and SMS gateway (``sms``)."""

    url: str
    app: object
    mailbox: object
    sms: object

    def __post_init__(self):
        self.factory = Factory()
        self.lock = threading.Lock()

    def add_person(self, nom="Muster", prenom="Anna", born=date(1985, 3, 15)):
        """An entry in the office's register (whom registration accepts)."""
        with self.lock, self.app.app_context():
            person = self.factory.person(nom=nom, prenom=prenom, born=born)
            digits = person.navs13
            return SimpleNamespace(
                navs13=digits, nom=nom, prenom=prenom, date_naissance=born,
                navs_display=f"{digits[:3]}.{digits[3:7]}.{digits[7:11]}.{digits[11:]}")

    def add_user(self, password=PASSWORD, **fields):
        """A confirmed account (insured by default; pass role= and totp_secret= for staff)."""
        with self.lock, self.app.app_context():
            user = self.factory.user(password=password, **fields)
            return SimpleNamespace(email=user.email, phone=user.phone, password=password,
                                   totp_secret=user.totp_secret, role=user.role)

    def sms_code(self, number: str, after: int = 0) -> str:
        """The code of the latest SMS to ``number``, waiting until more than ``after`` arrived."""
        assert wait_for(lambda: len(self.sms.to(number)) > after), f"no new SMS to {number}"
        return self.sms.last_code(number)

    def mail_link(self, address: str, path_part: str, after: int = 0) -> str:
        """The link containing ``path_part`` in the latest e-mail to ``address``."""
        assert wait_for(lambda: len(self.mailbox.to(address)) > after), f"no e-mail to {address}"
        text = self.mailbox.to(address)[-1].text
        link = next((word for word in text.split() if path_part in word), None)
        assert link, f"no link with {path_part} in the e-mail:\n{text}"
        assert link.startswith(self.url), link
        return link

    def configure(self, **settings):
        """Change settings of the running app; returns the previous values."""
        previous = {key: self.app.config[key] for key in settings}
        self.app.config.update(settings)
        return previous


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """One app and database for all browser tests (each test brings its own people), with its
    own SMTP server and SMS gateway, apart from those the other tests share and reset."""
    folder = tmp_path_factory.mktemp("live")
    smtp_server, sms_gateway_server = SmtpServer().start(), SmsGateway().start()
    config = {
        "TESTING": True,
        "SECRET_KEY": "browser-test-secret-key",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'browser.sqlite3'}",
        "WTF_CSRF_ENABLED": True,
        "LOCAL_DEV": True,
        "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1,
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port, "MAIL_SUPPRESS_SEND": False,
        "SMS_BACKEND": "http", "SMS_HTTP_URL": sms_gateway_server.url,
        "SMS_HTTP_TOKEN": "sms-token",
        "SECOND_VISA_SAMPLE": 0,  # a flow that needs the second visa makes it needed
        # each flow logs in again within seconds of its first code; the resend test sets 3 s
        "SMS_COOLDOWN_SECONDS": 0, "SMS_PER_HOUR": 20, "SMS_PER_IP_PER_HOUR": 10_000,
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    server = make_server("127.0.0.1", 0, None, threaded=True, request_handler=_QuietHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    app = create_app({**config, "BASE_URL": url})
    server.app = _KeepsResponse(app)
    with app.app_context():
        db.create_all()
        # the reduction reasons, as the migrations write them (decision forms offer them)
        from guichet.invoices.refusal_reasons import seed_defaults
        from guichet.models.invoices import REASON_REDUCTION
        seed_defaults(REASON_REDUCTION)
        db.session.commit()
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(url=url, app=app, mailbox=smtp_server, sms=sms_gateway_server)
    server.shutdown()
    thread.join(5)
    server.server_close()
    smtp_server.stop()
    sms_gateway_server.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def generous_login_limits(live):
    """For a module whose every test logs in (``pytestmark = usefixtures(...)``): the shared live
    server's login limits per IP are raised for it, then put back."""
    previous = live.configure(RATELIMIT_LOGIN_PER_IP="1000 per hour",
                              RATELIMIT_CODE_PER_IP="1000 per hour")
    yield
    live.configure(**previous)


# --- axe-core and the collected HTML --------------------------------------------------------


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        missing(f"{AXE_JS.relative_to(HERE.parent.parent)} is missing: "
                "run npm install --prefix tests/browser")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def vnu_jar() -> Path:
    if not VNU_JAR.exists():
        missing(f"{VNU_JAR.relative_to(HERE.parent.parent)} is missing: "
                "run npm install --prefix tests/browser")
    if shutil.which("java") is None:
        missing("java is needed to run vnu.jar (apt-get install default-jre-headless)")
    return VNU_JAR


class HtmlStore:
    """The HTML the server sent for each checked page and fragment, one file each, for vnu."""

    FRAGMENT_PAGE = ('<!DOCTYPE html>\n<html lang="fr-CH"><head><meta charset="utf-8">'
                     "<title>Fragment {name}</title></head><body>\n{body}\n</body></html>\n")

    def __init__(self, folder: Path):
        self.folder = folder
        self.names: dict[Path, str] = {}
        self.seen: set[str] = set()

    def add(self, name: str, html: str, fragment: bool = False) -> None:
        if fragment:
            html = self.FRAGMENT_PAGE.format(name=name, body=html)
        digest = hashlib.sha256(_without_tokens(html).encode()).hexdigest()
        if digest in self.seen:
            return
        self.seen.add(digest)
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        path = self.folder / f"{len(self.names) + 1:03d}-{slug}.html"
        path.write_text(html, encoding="utf-8")
        self.names[path] = name


def _without_tokens(html: str) -> str:
    """Pages that differ only by their CSRF token or an e-mail address are validated once."""
    html = re.sub(r'(csrf_token" value="|X-CSRFToken&#34;: &#34;)[^"&]+', r"\1", html)
    return re.sub(r"[\w.+-]+@example\.ch", "@", html)


@pytest.fixture(scope="session")
def html_store(tmp_path_factory) -> HtmlStore:
    return HtmlStore(tmp_path_factory.mktemp("html"))


def _format_violations(where: str, violations: list[dict]) -> str:
    lines = [f"axe-core found {len(violations)} violation(s) on {where}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                            resultTypes: ["violations"]});
  return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    helpUrl: v.helpUrl, nodes: v.nodes.map(n => ({target: n.target, html: n.html,
                                                  failureSummary: n.failureSummary}))}));
}"""


def run_axe(page, axe_source: str) -> list[dict]:
    """axe-core on the page as it is now. Evaluating the source is not blocked by the CSP, so
    the app's real policy stays in force."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate("() => {" + axe_source + "}")
    return page.evaluate(AXE_RUN, AXE_TAGS)


class Checker:
    """``check(name)`` after each page, ``check.fragment(name)`` after each htmx swap.

    Keeps the raw response the server sent (not the DOM) for vnu, and runs axe-core: in the page
    itself when JavaScript is on; when it is off (where axe cannot run), on the same server HTML
    loaded in a JavaScript-enabled auditor page whose own scripts are blocked.
    """

    def __init__(self, page, js: bool, axe_source: str, store: HtmlStore, browser):
        self.page, self.js, self.axe_source, self.store = page, js, axe_source, store
        self.browser = browser
        self.documents: list = []
        self.fragments: list = []
        self._fragments_seen = 0
        self._auditor = None
        page.on("response", self._remember)

    def _remember(self, response):
        request = response.request
        if 300 <= response.status < 400:
            return
        if request.is_navigation_request() and response.frame == self.page.main_frame:
            self.documents.append(response)
        elif request.headers.get("hx-request") == "true":
            self.fragments.append(response)

    def __call__(self, name: str) -> str:
        """Checks the page the browser shows now; returns the HTML the server sent for it."""
        assert self.documents, "no page was loaded"
        response = self.documents[-1]
        assert response.url == self.page.url.split("#")[0], (response.url, self.page.url)
        html = response.text()
        self._fragments_seen = len(self.fragments)
        self.store.add(name, html)
        violations = (run_axe(self.page, self.axe_source) if self.js
                      else self._audit_without_js(response.url, html))
        assert not violations, _format_violations(f"{name} ({self.page.url})", violations)
        return html

    def fragment(self, name: str, path: str | None = None) -> str:
        """After an htmx swap: keeps the fragment the server sent, runs axe on the whole page.

        The fragment must have come after the previous check (from ``path`` when given)."""
        new = self.fragments[self._fragments_seen:]
        self._fragments_seen = len(self.fragments)
        if path is not None:
            new = [response for response in new if urlsplit(response.url).path == path]
        assert new, f"{name}: htmx made no request" + (f" to {path}" if path else "")
        body = new[-1].text()
        assert "<html" not in body, f"{name}: htmx received a whole page"
        self.store.add(name, body, fragment=True)
        violations = run_axe(self.page, self.axe_source)
        assert not violations, _format_violations(f"{name} (after the htmx swap)", violations)
        return body

    def close(self):
        if self._auditor is not None:
            self._auditor.context.close()

    def _audit_without_js(self, url: str, html: str) -> list[dict]:
        if self._auditor is None:
            self._auditor = self.browser.new_context(java_script_enabled=True).new_page()
            self._auditor.route("**/*.js", lambda route: route.abort())
        auditor = self._auditor
        auditor.unroute(re.compile(".*\\?axe-audit$"))
        auditor.route(re.compile(".*\\?axe-audit$"), lambda route: route.fulfill(
            status=200, body=html, content_type="text/html; charset=utf-8"))
        # the page's own address (with a marker) so its links and stylesheet resolve the same
        auditor.goto(url.split("?")[0] + "?axe-audit")
        return run_axe(auditor, self.axe_source)


@pytest.fixture
def check(request, page, browser, axe_source, html_store):
    marker = request.node.get_closest_marker("browser_context_args")
    js = True if marker is None else marker.kwargs.get("java_script_enabled", True)
    checker = Checker(page, js, axe_source, html_store, browser)
    yield checker
    checker.close()
    assert js or not checker.fragments, "JavaScript was off, yet htmx made requests"

