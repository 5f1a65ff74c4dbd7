"""The partner rate limit's counter: on Redis, as in production, and on the in-memory cache
that development and the other tests use."""

import uuid

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

from customers.partners.api.auth import window_count


def _redis_cache():
    return override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": settings.CELERY_BROKER_URL,
                # Keys of this test only: the broker's database holds Celery's own.
                "KEY_PREFIX": f"test-rate-{uuid.uuid4().hex}",
            }
        }
    )


@pytest.mark.broker
def test_on_redis_each_request_gets_the_next_number_and_the_window_expires():
    with _redis_cache():
        cache = caches["default"]
        try:
            counts = [window_count("api-rate:1:100", timeout=120) for _ in range(3)]

            client = cache._cache.get_client(write=True)
            seconds_left = client.ttl(cache.make_and_validate_key("api-rate:1:100"))
            assert counts == [1, 2, 3]
            assert 0 < seconds_left <= 120
            assert cache.get("api-rate:1:100") == 3
        finally:
            cache.delete("api-rate:1:100")


@pytest.mark.broker
def test_on_redis_a_later_request_does_not_push_the_window_back():
    with _redis_cache():
        cache = caches["default"]
        client = cache._cache.get_client(write=True)
        key = cache.make_and_validate_key("api-rate:1:101")
        try:
            window_count("api-rate:1:101", timeout=120)
            client.expire(key, 30)

            window_count("api-rate:1:101", timeout=120)

            assert client.ttl(key) <= 30
        finally:
            cache.delete("api-rate:1:101")


def test_in_memory_each_request_gets_the_next_number():
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    ):
        counts = [window_count("api-rate:2:100", timeout=120) for _ in range(3)]

    assert counts == [1, 2, 3]
