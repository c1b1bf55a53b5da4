"""The checks of ``dsi4bcn doctor`` over HTTP, each against a real server on 127.0.0.1 made wrong in one way:
plain http, nothing listening, a private address without private testing, WebFinger answering 404, another
software at the base URL, a clock 10 minutes off."""

from dsi4bcn.fediverse.selfcheck import OK, PROBLEM, WARNING, Finding, check_public_side, check_scheme
from tests.support.nodes import free_port
from tests.support.publicside import public_side


def _by_check(findings: list[Finding]) -> dict[str, Finding]:
    return {finding.check: finding for finding in findings}


async def _check(base_url: str, *, private: bool = True, actor: str = "taller") -> dict[str, Finding]:
    findings = await check_public_side(
        base_url, allow_private_network=private, actor=(actor, f"{base_url}/projects/{actor}"), seconds=3
    )
    return _by_check(findings)


def test_https_is_ok_http_a_problem_unless_private_testing() -> None:
    assert check_scheme("https://node.example", False).status == OK
    plain = check_scheme("http://node.example", False)
    assert plain.status == PROBLEM and "https" in plain.fix
    assert check_scheme("http://127.0.0.1:8080", True).status == WARNING


async def test_a_well_set_up_public_side_is_ok() -> None:
    with public_side() as side:
        found = await _check(side.base_url)
    assert [found[name].status for name in ("reachable", "webfinger", "clock")] == [OK, OK, OK], found


async def test_a_base_url_where_nothing_listens_is_a_problem() -> None:
    base_url = f"http://127.0.0.1:{free_port()}"
    found = await _check(base_url)
    assert found["reachable"].status == PROBLEM
    assert "did not answer" in found["reachable"].message and found["reachable"].fix
    assert found["webfinger"].status == WARNING  # not checked


async def test_a_private_or_http_base_url_is_refused_by_the_node_s_own_policy() -> None:
    with public_side() as side:
        found = await _check(side.base_url, private=False)
    assert found["reachable"].status == PROBLEM
    assert "not a public https address" in found["reachable"].message
    assert "--allow-private-network" in found["reachable"].fix


async def test_webfinger_answering_404_is_a_problem() -> None:
    with public_side(webfinger=False) as side:
        found = await _check(side.base_url)
    assert found["reachable"].status == OK
    assert found["webfinger"].status == PROBLEM
    assert "answered 404" in found["webfinger"].message and "/.well-known/webfinger" in found["webfinger"].fix


async def test_webfinger_naming_another_actor_is_a_problem() -> None:
    with public_side() as side:
        findings = await check_public_side(
            side.base_url,
            allow_private_network=True,
            actor=("taller", "https://node.example/projects/taller"),
            seconds=3,
        )
    webfinger = _by_check(findings)["webfinger"]
    assert webfinger.status == PROBLEM and "--base-url" in webfinger.fix


async def test_another_software_at_the_base_url_is_a_warning() -> None:
    with public_side(software="mastodon") as side:
        found = await _check(side.base_url)
    assert found["reachable"].status == WARNING and "'mastodon'" in found["reachable"].message


async def test_a_clock_ten_minutes_off_is_a_problem_and_one_minute_a_warning() -> None:
    with public_side(skew=600) as side:
        found = await _check(side.base_url)
    assert found["clock"].status == PROBLEM
    assert "behind" in found["clock"].message and "NTP" in found["clock"].fix
    with public_side(skew=-60) as side:
        found = await _check(side.base_url)
    assert found["clock"].status == WARNING and "ahead" in found["clock"].message


async def test_the_clock_is_also_compared_with_a_reference_server() -> None:
    with public_side() as node, public_side(skew=-900) as reference:
        findings = await check_public_side(
            node.base_url,
            allow_private_network=True,
            actor=("taller", f"{node.base_url}/projects/taller"),
            clock_reference=f"{reference.base_url}/",
            seconds=3,
        )
    clock = _by_check(findings)["clock"]
    assert clock.status == PROBLEM and reference.base_url in clock.message
