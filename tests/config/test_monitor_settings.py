"""The monitor block: bounds that keep every cohort judgeable."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from taskgate.config.model import Config


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"min_trailing": 1}, "Input should be greater than or equal to 2"),
        ({"trailing": 1001}, "Input should be less than or equal to 1000"),
        (
            {"trailing": 2, "min_trailing": 3},
            "min_trailing (3) is more than trailing (2): no cohort could ever be judged; lower "
            "min_trailing or raise trailing",
        ),
    ],
)
def test_unjudgeable_settings_are_refused(block: dict[str, int], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Config.model_validate({"monitor": block})
    assert [error["msg"] for error in caught.value.errors()] == [message]


def test_the_defaults() -> None:
    settings = Config.model_validate({}).monitor
    assert (settings.trailing, settings.min_trailing, settings.min_runs) == (7, 3, 20)
