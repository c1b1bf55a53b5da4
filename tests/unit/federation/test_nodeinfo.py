"""NodeInfo 2.1 links and documents (``federation.nodeinfo``)."""

import pytest

from federation.nodeinfo import APPLICATION_ACTOR_REL, nodeinfo_document, nodeinfo_links


def test_nodeinfo_documents() -> None:
    links = nodeinfo_links("https://n.example/nodeinfo/2.1", "https://n.example/actor")
    assert links["links"][1] == {"rel": APPLICATION_ACTOR_REL, "href": "https://n.example/actor"}
    document = nodeinfo_document(
        software_name="dsi4bcn",
        software_version="0.1.0",
        total_users=3,
        active_month=3,
        active_halfyear=3,
        local_posts=0,
    )
    assert document["version"] == "2.1"
    assert document["protocols"] == ["activitypub"]
    assert document["usage"]["users"]["total"] == 3
    with pytest.raises(ValueError, match=r"software\.name"):
        nodeinfo_document(
            software_name="DSI 4",
            software_version="1",
            total_users=0,
            active_month=0,
            active_halfyear=0,
            local_posts=0,
        )
