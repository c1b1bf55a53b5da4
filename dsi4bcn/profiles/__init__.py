"""The profile model: the editable profile, its validation, and the documents rendered from it.

Pure: no database, no network, no aiohttp. Imports only ``vocab``, ``federation`` and the base modules
(``config``, ``i18n``, ``supervise``)."""
