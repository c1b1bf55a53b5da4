"""SQL migrations, applied in order of their number; ``PRAGMA user_version`` records the last one."""
