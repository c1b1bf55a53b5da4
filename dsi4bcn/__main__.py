"""``python -m dsi4bcn``: the command line (``dsi4bcn.cli``)."""

import sys

from dsi4bcn.cli.commands import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
