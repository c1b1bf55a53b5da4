"""How the node logs: text lines for a person, or one JSON object a line for a log collector.

``--log-format json`` (``DSI4BCN_LOG_FORMAT=json``) writes each record as an object with ``time`` (UTC,
ISO 8601 with milliseconds), ``level``, ``logger``, ``message``, ``pid`` and, when the record has them,
``exception`` (the traceback's text) and ``stack``. The standard library's ``logging`` with this small
formatter rather than python-json-logger: the fields are few and fixed, and a dependency for twenty lines
would be one more thing to trust. Every non-ASCII character is escaped, so that a line is always valid
UTF-8 whatever a hostile peer put in a logged value (lone surrogates included). A base module, because
the node's other processes (the graph process) log the same way: ``configure_logging`` leaves the format
in ``DSI4BCN_LOG_FORMAT`` for them to read.
"""

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any

__all__ = ["JsonFormatter", "configure_logging"]

_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON (see the module's header)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON object on one line."""
        moment = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=True, default=str)


def configure_logging(level: str, log_format: str) -> None:
    """Log records of ``level`` and above to standard error, as text lines or (``json``) JSON lines; the
    processes this one starts inherit the format through the environment."""
    os.environ["DSI4BCN_LOG_FORMAT"] = log_format
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(_TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.getLogger("aiosqlite").setLevel(logging.INFO)  # its debug log is one line per query
