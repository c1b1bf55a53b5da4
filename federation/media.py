"""Media types of the protocols the node speaks."""

__all__ = [
    "ACTIVITYPUB_TYPES",
    "ACTIVITY_JSON",
    "AS_PROFILE",
    "HTML",
    "JRD_JSON",
    "JSON",
    "LD_JSON_AS",
    "NODEINFO_21_PROFILE",
    "TURTLE",
    "XRD_XML",
]

AS_PROFILE = "https://www.w3.org/ns/activitystreams"
ACTIVITY_JSON = "application/activity+json"
LD_JSON_AS = f'application/ld+json; profile="{AS_PROFILE}"'
JRD_JSON = "application/jrd+json"
XRD_XML = "application/xrd+xml"
TURTLE = "text/turtle"
HTML = "text/html"
JSON = "application/json"
NODEINFO_21_PROFILE = "http://nodeinfo.diaspora.software/ns/schema/2.1"
# The two media types ActivityPub §3.2 lets a server answer with.
ACTIVITYPUB_TYPES = (ACTIVITY_JSON, LD_JSON_AS)
