"""The node over HTTP: helpers, the admin token, pages and templates, static files, and ``routes/``.

The only package (with ``app.py``) that imports ``aiohttp.web``. May import every package but the entry
points (``app``, ``cli``, ``demo``)."""
