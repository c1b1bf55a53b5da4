"""Server-Timing: stages in the order run, each with its duration in milliseconds, even if one fails."""

import re
import time

import pytest

from dsi4bcn.web.servertiming import StageTimer


def test_stages_are_written_in_order_with_their_durations() -> None:
    timer = StageTimer()
    with timer.stage("search"):
        time.sleep(0.002)
    with pytest.raises(ValueError), timer.stage("render"):
        raise ValueError("a stage that fails is still timed")
    header = timer.header()
    assert re.fullmatch(r"search;dur=\d+\.\d\d, render;dur=\d+\.\d\d, total;dur=(\d+\.\d\d)", header), header
    assert timer.stages[0][1] >= 2.0
    assert float(header.rpartition("=")[2]) >= timer.stages[0][1]
    assert re.fullmatch(r"total;dur=\d+\.\d\d", StageTimer().header())
