"""Collaboration matching: the scoring model pair by pair, the features, the index over all profiles, the service.

May import ``storage``, ``profiles`` and ``sparql``; never ``graph`` (``app.py`` tells the matcher when a
graph was written)."""
