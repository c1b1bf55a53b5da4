"""HTTP routes of a node, one module per audience: discovery, actors, inboxes, admin APIs, SPARQL, pages."""
