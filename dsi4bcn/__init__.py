"""dsi4bcn: a self-hostable ActivityPub and linked-data node for Barcelona's digital social innovation."""

__version__ = "0.1.0"
