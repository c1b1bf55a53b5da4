"""Domain blocks match every spelling of a blocked host: case, trailing dot, fullwidth and Unicode full stops."""

import time
from pathlib import Path

import pytest

from dsi4bcn.fediverse.blocklist import Blocklist, normalise_domain
from dsi4bcn.fediverse.remoteactors import RemoteDirectory
from dsi4bcn.fediverse.workers import Deliverer, Signers
from dsi4bcn.storage.database import Database, open_database
from dsi4bcn.storage.deliveries import DeliveryQueue
from dsi4bcn.storage.follows import Follows
from dsi4bcn.storage.localactors import ProfileStore
from dsi4bcn.storage.receivedactivities import ReceivedActivities
from dsi4bcn.storage.remoteactorcache import RemoteActor, RemoteActorCache
from federation.client import ActivityPubClient, FetchPolicy, create_session
from federation.errors import FetchError

BLOCKED = ("localhost", "evil.example", "127.0.0.2", "xn--bcher-kva.de")


class _Database:
    """Just enough of the database for the in-memory list."""

    async def all(self, query: str, parameters: tuple = ()) -> list[dict[str, str]]:
        assert query.startswith("SELECT domain, reason, created FROM blocked_domains")
        return [{"domain": domain, "reason": "", "created": ""} for domain in BLOCKED]


@pytest.fixture
async def blocklist() -> Blocklist:
    loaded = Blocklist(_Database())  # type: ignore[arg-type]
    await loaded.load()
    return loaded


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "LOCALHOST",
        "localhost.",
        "\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54",  # fullwidth
        "\uff2c\uff2f\uff23\uff21\uff2c\uff28\uff2f\uff33\uff34\u3002",
        "api.localhost.",
        "evil.example",
        "evil.example.",
        "EVIL.Example.",
        "evil\u3002example",
        "evil\uff0eexample\uff0e",
        "evil\uff61example",
        "deep.sub\u3002evil.example",
        "\uff45\uff56\uff49\uff4c.example",
        "127\u30020\u30020\u30022",
        "127.0.0.2.",
        "b\u00fccher.de",
        "B\u00dcCHER.DE.",
        "shop.b\u00fccher.de",
    ],
)
def test_every_spelling_of_a_blocked_host_is_blocked(blocklist: Blocklist, host: str) -> None:
    assert blocklist.is_blocked(host)


@pytest.mark.parametrize(
    "host", ["example.org", "notevil.example", "evil.example.org", "127.0.0.1", "10.0.0.2", "1.127.0.0"]
)
def test_other_hosts_are_not_blocked(blocklist: Blocklist, host: str) -> None:
    assert not blocklist.is_blocked(host)


@pytest.mark.parametrize("host", ["%6c%6f%63%61%6c%68%6f%73%74", "evil.example..", "a\u200b.example", ""])
def test_a_host_that_cannot_be_normalised_counts_as_blocked(blocklist: Blocklist, host: str) -> None:
    assert blocklist.is_blocked(host)
    assert blocklist.is_blocked_url(f"https://{host}/users/a")


def test_urls_are_judged_by_their_host(blocklist: Blocklist) -> None:
    assert blocklist.is_blocked_url("https://\uff45\uff56\uff49\uff4c\u3002example./users/a")
    assert blocklist.is_blocked_url("http://localhost.:8080/inbox")
    assert not blocklist.is_blocked_url("https://example.org/inbox")


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("Evil.Example.", "evil.example"),
        ("evil\u3002example", "evil.example"),
        ("\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54", "localhost"),
        ("fa\u00df.de", "xn--fa-hia.de"),  # as yarl connects to it (IDNA 2008), not "fass.de"
        ("127.0.0.1", "127.0.0.1"),
    ],
)
def test_blocked_domains_are_stored_in_the_normalised_form(text: str, domain: str) -> None:
    assert normalise_domain(text) == domain


@pytest.mark.parametrize("text", ["not_a_domain!", "%41.example", "a..b", "127.1", ""])
def test_what_is_not_a_domain_cannot_be_blocked(text: str) -> None:
    assert normalise_domain(text) is None


# --- the block's purge, on a real SQLite file ---------------------------------------------------------

EVIL = ("https://evil.example./users/a", "https://sub\u3002evil.example/users/b", "https://EVIL.example/users/c")
GOOD = "https://good.example/users/g"


def _activity(actor: str, number: int) -> dict:
    return {"id": f"{GOOD}/activities/{number}", "type": "Create", "actor": actor}


async def _fill(database: Database) -> None:
    """Follows both ways, deliveries, unprocessed activities, actors, keys and profiles of both domains."""
    follows, actors, queue = Follows(database), RemoteActorCache(database), DeliveryQueue(database)
    for number, actor in enumerate((*EVIL, GOOD)):
        await follows.add_follower("taller", actor, {"id": f"{actor}/follows/1"}, accepted=True)
        await follows.follow("taller", actor, f"https://n.example/follows/{number}")
        await actors.remember_actor(RemoteActor(actor, f"{actor}/inbox", None, {}, "t"), [(f"{actor}#key", "PEM")])
        await queue.publish(local="taller", activity=_activity(actor, number), inboxes=[f"{actor}/inbox"], public=False)
        await ReceivedActivities(database).store_incoming(
            [(f"{actor}/activities/{number}", actor, "{}", f"{actor}#key")]
        )
    async with database.transaction() as connection:
        await connection.executemany(
            "INSERT INTO remote_profiles (actor, peer, document, ntriples, received, updated)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(actor, actor, "{}", "", "t", "t") for actor in (*EVIL, GOOD)],
        )


async def _column(database: Database, query: str) -> list[str]:
    return sorted(str(row[0]) for row in await database.all(query))


async def test_a_block_purges_the_domain_in_every_spelling_and_nothing_else(tmp_path: Path) -> None:
    database = Database(await open_database(tmp_path / "db.sqlite3"))
    try:
        await _fill(database)
        blocklist = Blocklist(database)
        purge = await blocklist.block("evil.example", "spam")
        assert purge.as_json() == {
            "followers": 3,
            "following": 3,
            "deliveries": 3,
            "activities": 3,
            "actors": 3,
            "profiles": 3,
        }
        assert purge.new
        for table in ("followers", "following"):
            assert await _column(database, f"SELECT actor FROM {table}") == [GOOD]
        assert await _column(database, "SELECT inbox FROM deliveries") == [f"{GOOD}/inbox"]
        assert await _column(database, "SELECT actor FROM inbox WHERE processed IS NULL") == [GOOD]
        assert await _column(database, "SELECT id FROM remote_actors") == [GOOD]
        assert await _column(database, "SELECT owner FROM remote_keys") == [GOOD]
        assert await _column(database, "SELECT actor FROM remote_profiles") == [GOOD]
        assert await _column(database, "SELECT graph FROM graph_sync WHERE synced = 0") == sorted(EVIL)
        # A Follow received before the block and processed after it is not recorded
        await Follows(database).add_follower("taller", "https://other.evil.example/users/d", {"id": "x"}, accepted=True)
        assert await _column(database, "SELECT actor FROM followers") == [GOOD]
        # Blocking again purges again (nothing left) and says it was not new; unblocking forgets the block
        assert not (await blocklist.block("evil.example")).new
        assert await blocklist.unblock("evil.example")
        assert not blocklist.is_blocked("evil.example") and not await blocklist.unblock("evil.example")
    finally:
        await database.close()


async def test_the_deliverer_drops_a_delivery_to_a_domain_blocked_after_it_was_queued(tmp_path: Path) -> None:
    database = Database(await open_database(tmp_path / "db.sqlite3"))
    try:
        store = DeliveryQueue(database)
        profiles = ProfileStore(database)
        await profiles.instance()
        await store.publish(local="", activity=_activity(EVIL[0], 1), inboxes=[f"{EVIL[0]}/inbox"], public=False)
        [delivery] = await store.due_deliveries(time.time(), 10)
        blocklist = Blocklist(database)
        blocklist._domains.add("evil.example")  # blocked in memory; the purge has not reached this row
        session = create_session(FetchPolicy())
        try:
            deliverer = Deliverer(
                store,
                Signers(profiles, "https://n.example"),
                session,
                FetchPolicy(),
                is_blocked=blocklist.is_blocked_url,
            )
            assert not await deliverer._attempt(delivery)  # dropped without a request
        finally:
            await session.close()
        assert await store.pending_deliveries() == 0
        assert await store.failure_days("evil.example") == []  # given up, not failed
    finally:
        await database.close()


async def test_no_actor_is_fetched_from_a_blocked_domain(blocklist: Blocklist) -> None:
    def no_client() -> ActivityPubClient:
        raise AssertionError("a blocked actor was about to be fetched")

    directory = RemoteDirectory(None, no_client, is_blocked=blocklist.is_blocked_url)  # type: ignore[arg-type]
    with pytest.raises(FetchError, match="blocked"):
        await directory.fetch_actor("https://sub.evil\u3002example/users/a")
    assert await directory.key("https://EVIL.example./users/a#main-key", refresh=True) is None
