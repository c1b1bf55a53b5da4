-- Answers to calls for collaboration (docs/calls.md).
--
-- Offers to collaborate (FEP-0837 Offer{Agreement}): sent by this node's organisations and projects, or
-- received for this node's calls; pending until the caller accepts or rejects them. `body` is the Offer as
-- sent or received, `answer` the Accept or Reject. An offer between two profiles of this node is held twice,
-- once in each direction.
CREATE TABLE call_offers (
    id TEXT NOT NULL,
    call TEXT NOT NULL,
    proposer TEXT NOT NULL,
    offerer TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('sent', 'received')),
    body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'rejected')),
    answer TEXT,
    created TEXT NOT NULL,
    decided TEXT,
    PRIMARY KEY (id, direction)
);
CREATE INDEX call_offers_by_call ON call_offers (call, created);
CREATE INDEX call_offers_by_offerer ON call_offers (offerer, created);

-- Agreements: an accepted offer, finalised by the caller, as JSON-LD (its own named graph); made here, or
-- learnt from the caller's Accept (as the offerer, or as a node that holds the call).
CREATE TABLE agreements (
    id TEXT PRIMARY KEY,
    call TEXT NOT NULL,
    proposer TEXT NOT NULL,
    offerer TEXT NOT NULL,
    offer TEXT NOT NULL,
    document TEXT NOT NULL,
    source TEXT NOT NULL,
    accepted TEXT NOT NULL
);
CREATE INDEX agreements_by_call ON agreements (call);
CREATE INDEX agreements_by_proposer ON agreements (proposer);
CREATE INDEX agreements_by_offerer ON agreements (offerer);

-- Replies (Notes in reply to one of this node's calls) from anyone on the fediverse, shown on the call's
-- page once its caller approves them.
CREATE TABLE call_replies (
    id TEXT PRIMARY KEY,
    call TEXT NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'hidden')),
    received TEXT NOT NULL
);
CREATE INDEX call_replies_by_call ON call_replies (call, received);

-- A call that goes (deleted here or at its origin, or with its author) takes its answers with it, and the
-- graphs of its agreements are written again (that is, dropped), in the same transaction.
CREATE TRIGGER answers_of_deleted_call AFTER UPDATE OF deleted ON calls
WHEN NEW.deleted IS NOT NULL
BEGIN
    INSERT INTO graph_sync (graph) SELECT id FROM agreements WHERE call = NEW.iri
        ON CONFLICT (graph) DO UPDATE SET version = version + 1, synced = 0, failed = NULL;
    DELETE FROM agreements WHERE call = NEW.iri;
    DELETE FROM call_offers WHERE call = NEW.iri;
    DELETE FROM call_replies WHERE call = NEW.iri;
END;

CREATE TRIGGER answers_of_deleted_remote_call AFTER UPDATE OF deleted ON remote_calls
WHEN NEW.deleted IS NOT NULL
BEGIN
    INSERT INTO graph_sync (graph) SELECT id FROM agreements WHERE call = NEW.iri
        ON CONFLICT (graph) DO UPDATE SET version = version + 1, synced = 0, failed = NULL;
    DELETE FROM agreements WHERE call = NEW.iri;
    DELETE FROM call_offers WHERE call = NEW.iri;
END;

CREATE TRIGGER answers_of_dropped_remote_call AFTER DELETE ON remote_calls
BEGIN
    INSERT INTO graph_sync (graph) SELECT id FROM agreements WHERE call = OLD.iri
        ON CONFLICT (graph) DO UPDATE SET version = version + 1, synced = 0, failed = NULL;
    DELETE FROM agreements WHERE call = OLD.iri;
    DELETE FROM call_offers WHERE call = OLD.iri;
END;
