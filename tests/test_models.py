"""Model contract: frozen, no extra fields, string ids, exact Snowflake times, JSON round trip."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pydantic
import pytest

import threadkeep
from tests.conftest import golden_cases
from threadkeep.models import result_adapter


def test_models_are_frozen_and_reject_unknown_fields() -> None:
    tweet = threadkeep.Tweet(id="1", text="hi")
    with pytest.raises(pydantic.ValidationError):
        tweet.text = "changed"  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError, match="extra"):
        threadkeep.Tweet.model_validate({"id": "1", "likes": 3})


def test_tweet_ids_are_strings_never_numbers() -> None:
    with pytest.raises(pydantic.ValidationError):
        threadkeep.Tweet.model_validate({"id": 1215710451343904768})
    big = "1215710451343904768"  # > 2**53: a float would round it
    assert threadkeep.Tweet.model_validate_json(f'{{"id": "{big}"}}').id == big


def test_snowflake_time_is_exact_to_the_millisecond() -> None:
    assert threadkeep.snowflake_time("1215710451343904768") == datetime(
        2020, 1, 10, 19, 2, 13, 65000, tzinfo=UTC
    )
    assert threadkeep.snowflake_time("20") is None  # pre-Snowflake ids carry no time
    assert threadkeep.snowflake_time("not-an-id") is None
    assert threadkeep.snowflake_time(None) is None


def test_created_at_must_be_aware() -> None:
    with pytest.raises(pydantic.ValidationError):
        threadkeep.Tweet(created_at=datetime(2020, 1, 1))


def test_kind_discriminates_results() -> None:
    assert isinstance(result_adapter.validate_json('{"kind": "listing"}'), threadkeep.Listing)
    assert isinstance(result_adapter.validate_json('{"kind": "tweet"}'), threadkeep.Tweet)
    with pytest.raises(pydantic.ValidationError):
        result_adapter.validate_json('{"kind": "poem"}')


@pytest.mark.parametrize("page", golden_cases(), ids=lambda p: p.name)
def test_every_parse_round_trips_through_json(page: Path) -> None:
    result = threadkeep.parse(page.read_bytes())
    assert result_adapter.validate_json(result.model_dump_json()) == result
