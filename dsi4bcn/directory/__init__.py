"""The network directory: every organisation and project the node knows (its own and its peers'), searched
by text in ca, es and en, filtered by facets with counts, and drawn on a map of Barcelona.

``entries`` reads a directory entry from a profile's RDF triples; ``query`` checks a request's parameters
into a ``DirectoryQuery``; ``engine.DirectoryIndex`` answers it (``textindex`` for text, NumPy columns in
``facetcolumns`` for facets); ``directoryservice.DirectoryService`` keeps the index loaded from SQLite and
refreshed after graph syncs; ``districtmap`` draws the districts and neighbourhoods as SVG from CartoBCN's
boundaries, simplified at build time into ``data/``.
"""
