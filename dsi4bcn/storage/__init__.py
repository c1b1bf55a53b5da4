"""All of the node's SQL: the SQLite database, its migrations, and one module per group of tables.

SQLite is the source of truth; every other package reads and writes it through the classes here. May
import ``profiles`` and ``sparql`` besides the base modules."""
