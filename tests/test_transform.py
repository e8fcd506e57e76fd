"""pantau.transform.invoke: the dbt commands `pantau run` and `pantau serve` run in-process."""

from __future__ import annotations

import pytest

from pantau import transform


def test_a_failing_dbt_command_raises_naming_the_command_and_why():
    with pytest.raises(transform.DbtFailed, match=r"dbt parse --no-such-option failed: .*no-such-option"):
        transform.invoke("parse", "--no-such-option")
