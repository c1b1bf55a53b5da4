"""The admin token: from the configuration, or generated once into the data folder."""

import os
import secrets
from pathlib import Path

from dsi4bcn.config import Config

__all__ = ["ensure_admin_token"]


def ensure_admin_token(config: Config) -> tuple[str, Path | None]:
    """The admin token and the file it was read from or written to (None if configured)."""
    if config.admin_token:
        return config.admin_token, None
    path = config.token_path
    if path.is_file():
        token = path.read_text(encoding="ascii").strip()
        if len(token) >= 16:
            return token, path
    config.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # private: keys and secrets live there
    token = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(token + "\n")
    return token, path
