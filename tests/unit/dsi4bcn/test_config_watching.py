"""The settings of /metrics and of the logs (``dsi4bcn.config``): flags, then the environment, then defaults."""

import pytest

from dsi4bcn.config import ConfigError, load_config


def test_the_defaults_are_a_generated_token_no_local_exception_and_text_logs() -> None:
    config = load_config(environ={})
    assert (config.metrics_token, config.metrics_localhost, config.log_format) == (None, False, "text")


def test_the_environment_sets_them_and_flags_come_first() -> None:
    environ = {
        "DSI4BCN_METRICS_TOKEN": "a-metrics-token-of-20",
        "DSI4BCN_METRICS_LOCALHOST": "true",
        "DSI4BCN_LOG_FORMAT": "JSON",
    }
    config = load_config(environ=environ)
    expected = ("a-metrics-token-of-20", True, "json")
    assert (config.metrics_token, config.metrics_localhost, config.log_format) == expected
    flagged = load_config(log_format="text", metrics_localhost=True, environ={"DSI4BCN_LOG_FORMAT": "json"})
    assert (flagged.log_format, flagged.metrics_localhost) == ("text", True)


@pytest.mark.parametrize(
    ("environ", "words"),
    [
        ({"DSI4BCN_METRICS_TOKEN": "short"}, "at least 16"),
        ({"DSI4BCN_METRICS_LOCALHOST": "maybe"}, "true or false"),
        ({"DSI4BCN_LOG_FORMAT": "xml"}, "text or json"),
    ],
)
def test_a_bad_setting_is_refused_with_its_name(environ: dict[str, str], words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        load_config(environ=environ)
