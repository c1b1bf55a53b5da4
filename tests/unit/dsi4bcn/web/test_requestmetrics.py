"""The labels the web layer counts by (``dsi4bcn.web.requestmetrics``): from an ``ApiError``, a bounded word."""

import pytest

from dsi4bcn.i18n import Reason
from dsi4bcn.web.http import ApiError
from dsi4bcn.web.requestmetrics import inbox_refusal, sparql_outcome


def _sparql(status: int, code: str | None) -> ApiError:
    return ApiError(status, "sparql_refused", reason=Reason(code, line=1, column=2, limit=3, form="ASK"))


@pytest.mark.parametrize(
    ("status", "code", "outcome"),
    [
        (400, "sparql_syntax", "syntax"),
        (400, "sparql_update", "refused"),
        (400, "sparql_service", "refused"),
        (400, "sparql_empty", "refused"),
        (413, "sparql_query_too_long", "too_large"),
        (413, "sparql_request_too_long", "too_large"),
        (406, "sparql_no_format", "not_acceptable"),
        (429, "sparql_busy", "too_many"),
        (429, "sparql_waited", "too_many"),
        (503, "sparql_timeout", "timeout"),
    ],
)
def test_a_sparql_refusal_is_named_by_its_reason(status: int, code: str, outcome: str) -> None:
    assert sparql_outcome(_sparql(status, code)) == outcome


def test_a_sparql_failure_of_the_node_is_an_error() -> None:
    assert sparql_outcome(ApiError(500, "internal_error")) == "error"
    assert sparql_outcome(ApiError(400, "bad_request")) == "refused"


def test_an_inbox_refusal_is_named_by_its_check_or_its_code() -> None:
    refused = ApiError(401, "inbox_refused", reason="digest mismatch for https://x.example", check="signature")
    assert inbox_refusal(refused) == "signature"
    assert inbox_refusal(ApiError(413, "too_large", limit=1)) == "too_large"
    assert inbox_refusal(ApiError(404, "not_found")) == "not_found"
