"""The network directory: search and facet index, map.

Everything a visitor uses to find organisations and projects across the network: the search and facet index
over every profile the node knows, and the map of Barcelona's districts and neighbourhoods
(``districtmap``, drawn from CartoBCN's boundaries simplified at build time into ``data/``).
"""
