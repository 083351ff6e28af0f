"""The shared cache on Redis, which degrades instead of failing when Redis is away.

It holds the API's throttle counters (shared by every web process) and nothing
that cannot be lost. When Redis does not answer, reads miss and writes are
dropped: throttles stop counting for a while, edits keep saving, and the outage
is logged (once a minute per process) and shown by /health/'s cache check.
"""

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
_last_warning = [0.0]

_Method = TypeVar("_Method", bound=Callable[..., Any])


def _degrades(default: Any = None) -> Callable[[_Method], _Method]:
    def wrap(method: _Method) -> _Method:
        @functools.wraps(method)
        def guarded(self: RedisCache, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except (RedisError, OSError) as exc:
                if time.monotonic() - _last_warning[0] > 60:
                    _last_warning[0] = time.monotonic()
                    logger.warning("cache unavailable, going on without it: %s", exc)
                return default(*args, **kwargs) if callable(default) else default

        return cast(_Method, guarded)  # the same signature: the method's, guarded

    return wrap


def _default_of_get(key: Any, default: Any = None, *args: Any, **kwargs: Any) -> Any:
    return default


class ResilientRedisCache(RedisCache):
    get = _degrades(_default_of_get)(RedisCache.get)
    set = _degrades(None)(RedisCache.set)
    add = _degrades(False)(RedisCache.add)
    touch = _degrades(False)(RedisCache.touch)
    delete = _degrades(False)(RedisCache.delete)
    get_many = _degrades(lambda *args, **kwargs: {})(RedisCache.get_many)
    set_many = _degrades(lambda keys, *args, **kwargs: list(keys))(RedisCache.set_many)
    delete_many = _degrades(None)(RedisCache.delete_many)
    has_key = _degrades(False)(RedisCache.has_key)
    clear = _degrades(False)(RedisCache.clear)

    @_degrades(None)
    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return super().incr(key, delta, version)
