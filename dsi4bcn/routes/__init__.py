"""HTTP routes of a node, one module per audience: discovery, actors, admin API, pages."""
