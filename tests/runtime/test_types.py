"""NOT_GIVEN sentinel and defaults."""

from __future__ import annotations

import copy
import pickle

import httpx

from generator.runtime._types import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    NotGiven,
    NotGivenOr,
)


def test_not_given_sentinel() -> None:
    assert not NOT_GIVEN
    assert bool(NOT_GIVEN) is False
    assert repr(NOT_GIVEN) == "NOT_GIVEN"
    assert NotGiven() is NOT_GIVEN
    assert copy.copy(NOT_GIVEN) is NOT_GIVEN and copy.deepcopy(NOT_GIVEN) is NOT_GIVEN
    value: NotGivenOr[str] = NOT_GIVEN
    assert isinstance(value, NotGiven)


def test_not_given_pickles_to_singleton() -> None:
    import generator.runtime._types as types_module

    assert pickle.loads(pickle.dumps(types_module.NOT_GIVEN)) is NOT_GIVEN


def test_defaults() -> None:
    assert httpx.Timeout(60.0, connect=5.0) == DEFAULT_TIMEOUT
    assert DEFAULT_MAX_RETRIES == 2
