"""Concept IRIs of the bundled schemes, shared by the matching tests."""

__all__ = ["AREA", "POBLENOU", "RAVAL", "SANT_MARTI", "SDG", "SECTOR", "SKILL"]

SKILL = "https://w3id.org/dsi4bcn/skill/"
AREA = "https://w3id.org/dsi4bcn/area/"
SECTOR = "https://w3id.org/dsi4bcn/sector/"
SDG = "https://w3id.org/dsi4bcn/sdg/"
POBLENOU = "https://w3id.org/dsi4bcn/neighbourhood/68"
SANT_MARTI = "https://w3id.org/dsi4bcn/district/10"
RAVAL = "https://w3id.org/dsi4bcn/neighbourhood/1"
