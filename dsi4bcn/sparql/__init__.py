"""SPARQL without running it: the query parser, request checks, the protocol, result formats, examples.

Pure: it decides what a request asks and whether it may run, and serialises results; the graph package
runs queries. Imports only ``vocab``, ``federation`` and the base modules."""
