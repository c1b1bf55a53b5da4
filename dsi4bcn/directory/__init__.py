"""The network directory: every organisation and project the node knows (its own and its peers'), searched
by text in ca, es and en and filtered by facets with counts.

``entries`` reads a directory entry from a profile's RDF triples; ``query`` checks a request's parameters
into a ``DirectoryQuery``; ``engine.DirectoryIndex`` answers it (FTS5 for text, NumPy and SciPy for
facets); ``directoryservice.DirectoryService`` keeps the index loaded from SQLite and refreshed after graph syncs.
"""
