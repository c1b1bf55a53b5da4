"""An ActivityPub protocol layer, reusable without dsi4bcn.

Modules are pure (sans-I/O: bytes, dicts and dataclasses in and out, clock and key lookup passed in)
except the few documented as touching the network. This package may import ``vocab`` and never
imports ``dsi4bcn``.
"""
