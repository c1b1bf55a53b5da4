"""The aggregated RDF graph: the graph process that owns the Oxigraph store, its client, and its sync from SQLite.

The graph is an index derived from SQLite and can always be rebuilt from it. May import ``storage``,
``profiles`` and ``sparql``; never ``matching`` (the two are told of each other by ``app.py``)."""
