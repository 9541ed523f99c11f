"""Rate limits kept in Redis (production): shared by every worker, and still « réessayez plus tard »."""
import os

import pytest

from tests.support.accounts import PASSWORD
from tests.support.page import page_text

REDIS_URL = os.environ.get("GUICHET_TEST_REDIS_URL")
pytestmark = [pytest.mark.skipif(not REDIS_URL, reason="set GUICHET_TEST_REDIS_URL to run"),
              pytest.mark.sqlite_only]


@pytest.fixture
def redis_db():
    import redis
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.mark.config(RATELIMIT_STORAGE_URI=REDIS_URL or "memory://",
                    RATELIMIT_LOGIN_PER_ACCOUNT="2 per hour")
def test_login_limit_is_counted_in_redis_and_shared(app, factory, redis_db):
    user = factory.user()
    first, second = app.test_client(), app.test_client()  # two browsers, same account
    for client in (first, second):
        assert client.post("/connexion", data={"email": user.email,
                                               "password": "pas le bon"}).status_code == 422
    refused = first.post("/connexion", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 429
    assert "Réessayez plus tard" in page_text(refused)
    assert any(b"login" in key for key in redis_db.keys("*"))
