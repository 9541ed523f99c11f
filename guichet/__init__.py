"""Guichet: the online counter where insured persons send their invoices to the Office AI."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; nothing happens at import time."""
    app = Flask(__name__, instance_relative_config=True,
                instance_path=os.environ.get("GUICHET_INSTANCE_PATH") or None,
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    from guichet.core.config import load_config
    load_config(app, test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _configure_logging(app)
    if app.config["PROXY_COUNT"]:
        from guichet.core.proxies import trust_proxies
        trust_proxies(app, app.config["PROXY_COUNT"])

    from guichet.core import extensions as ext
    from guichet.models.base import db
    db.init_app(app)
    ext.migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    ext.mail.init_app(app)
    ext.csrf.init_app(app)
    ext.limiter.init_app(app)
    from guichet.core.i18n import init_i18n
    init_i18n(app)
    from guichet.core.formatting import init_filters
    init_filters(app)

    from guichet import models  # noqa: F401  (registers the tables)
    from guichet.core.passwords import configure_hasher
    configure_hasher(app.config["ARGON2_TIME_COST"], app.config["ARGON2_MEMORY_COST"],
                     app.config["ARGON2_PARALLELISM"])

    from guichet.core.web import init_web
    init_web(app)
    from guichet.core.sessions import init_sessions
    init_sessions(app)

    from guichet.account.routes import bp as account_bp
    from guichet.auth.routes import bp as auth_bp
    from guichet.banking.routes import bp as banking_bp
    from guichet.beneficiaries.routes import bp as beneficiaries_bp
    from guichet.main.routes import bp as main_bp
    from guichet.my_invoices.routes import bp as invoices_bp
    from guichet.privacy.routes import bp as privacy_bp
    from guichet.staff.routes import bp as staff_bp
    for blueprint in (main_bp, auth_bp, account_bp, banking_bp, beneficiaries_bp, privacy_bp,
                      invoices_bp, staff_bp):
        app.register_blueprint(blueprint)
    from guichet.beneficiaries.services import connect_signals as connect_beneficiaries
    connect_beneficiaries()

    from guichet.core.access import init_access
    init_access(app)
    from guichet.cli import init_cli
    init_cli(app)
    from guichet.core.unit_of_work import init_unit_of_work
    from guichet.core.web import error_response
    init_unit_of_work(app, failed_commit=lambda: error_response(500))
    return app


def _configure_logging(app: Flask) -> None:
    """Console messages (mail and SMS in development) go to stderr through logging."""
    logger = logging.getLogger("guichet")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
