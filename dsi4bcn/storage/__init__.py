"""All of the node's SQL: the SQLite database, its migrations, and one module per group of tables.

SQLite is the source of truth; every other package reads and writes it through the classes here, and only
this package imports aiosqlite (``database.Connection`` names the connection a transaction hands out).
Local actors are in ``localactors``; received ActivityPub state in ``remoteactorcache``, ``follows`` and
``receivedactivities``; what the node sends in ``notes`` and ``deliveries``; aggregation in ``peers``,
``receivedprofiles`` and ``graphstate``; domain blocks and their purge in ``blocks``. May import
``profiles``, ``sparql``, ``vocab`` and ``federation`` besides the base modules."""
