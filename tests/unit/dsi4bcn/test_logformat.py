"""JSON log lines (``dsi4bcn.logformat``): one object a line, with the fields a collector reads."""

import io
import json
import logging
import os
import sys

import pytest

from dsi4bcn.logformat import JsonFormatter, configure_logging


def _record(message: str, *args: object, exc_info: bool = False) -> logging.LogRecord:
    info = sys.exc_info() if exc_info else None
    return logging.LogRecord("dsi4bcn.test", logging.WARNING, __file__, 7, message, args, info)


def test_a_record_is_one_json_object_with_time_level_logger_and_message() -> None:
    line = JsonFormatter().format(_record("delivery to %s failed\nretry %d", "https://a.example/inbox", 3))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "dsi4bcn.test"
    assert entry["message"] == "delivery to https://a.example/inbox failed\nretry 3"
    assert entry["time"].endswith("Z") and len(entry["time"]) == len("2026-12-01T03:33:57.250Z")
    assert entry["pid"] == os.getpid()
    assert "exception" not in entry


def test_an_exception_is_written_with_its_traceback() -> None:
    try:
        raise ValueError("no such graph")
    except ValueError:
        record = _record("sync failed", exc_info=True)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "sync failed"
    assert entry["exception"].startswith("Traceback (most recent call last):")
    assert entry["exception"].rstrip().endswith("ValueError: no such graph")


def test_hostile_text_stays_one_line_of_ascii() -> None:
    line = JsonFormatter().format(_record("from %s", 'pe\u00e7a \udcff \u2028 \x00 "quoted"'))
    assert line.isascii() and "\n" not in line
    assert json.loads(line)["message"] == 'from pe\u00e7a \udcff \u2028 \x00 "quoted"'


def test_a_value_json_cannot_write_is_written_as_text() -> None:
    record = _record("ignored")
    record.msg, record.args = "%s", (object(),)
    assert json.loads(JsonFormatter().format(record))["message"].startswith("<object object")


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_configure_logging_chooses_the_format_and_hands_it_to_child_processes(
    log_format: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.delenv("DSI4BCN_LOG_FORMAT", raising=False)
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("INFO", log_format)
        logging.getLogger("dsi4bcn.check").info("node started")
        logging.getLogger("dsi4bcn.check").debug("not shown")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    assert os.environ["DSI4BCN_LOG_FORMAT"] == log_format
    [line] = stream.getvalue().splitlines()
    if log_format == "json":
        assert json.loads(line)["message"] == "node started"
    else:
        assert line.endswith("INFO dsi4bcn.check: node started")
