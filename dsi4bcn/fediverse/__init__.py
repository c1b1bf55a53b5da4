"""The node in the fediverse: inbox processing, delivery, the outbox, remote actors, peering, blocks.

The protocol itself is in the ``federation`` package; this is the node's use of it, over its storage. May
import ``graph``, ``matching`` and everything below them."""
