"""Behind the office's reverse proxy, the per-IP limits and the audit log count the visitor's
address (X-Forwarded-For), and only as many hops as there are proxies are trusted."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from guichet.models import AuthSession
from guichet.models.base import db
from tests.support.accounts import PASSWORD

VISITOR = {"X-Forwarded-For": "203.0.113.7"}


def _login_ip(client, user) -> str:
    response = client.post("/connexion", data={"email": user.email, "password": PASSWORD},
                           headers=VISITOR)
    assert response.status_code == 303
    return db.session.scalars(select(AuthSession.ip).where(AuthSession.user_id == user.id)
                              .order_by(AuthSession.id.desc())).first()


def test_without_a_proxy_a_forged_forwarded_header_is_ignored(client, factory):
    assert _login_ip(client, factory.user()) == "127.0.0.1"


@pytest.mark.config(PROXY_COUNT=1)
def test_behind_one_proxy_the_visitor_address_is_counted(client, factory):
    assert _login_ip(client, factory.user()) == "203.0.113.7"


@pytest.mark.parametrize("hops, forwarded, proto, address, secure", [
    (1, "198.51.100.9, 203.0.113.7", "https", "203.0.113.7", True),
    (2, "198.51.100.9, 203.0.113.7", "https, https", "198.51.100.9", True),
    (2, "203.0.113.7", "https", "127.0.0.1", False),  # fewer hops than proxies: not trusted
    (1, "", "ftp", "127.0.0.1", False),
])
def test_only_the_trusted_hops_of_the_forwarded_headers_count(hops, forwarded, proto, address,
                                                               secure):
    from werkzeug.test import EnvironBuilder

    from guichet.core.proxies import ProxiedRequest
    request_class = type("Request", (ProxiedRequest,), {"trusted_hops": hops})
    environ = EnvironBuilder(headers={"X-Forwarded-For": forwarded,
                                      "X-Forwarded-Proto": proto},
                             environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_environ()
    request = request_class(environ)
    assert (request.remote_addr, request.is_secure) == (address, secure)
