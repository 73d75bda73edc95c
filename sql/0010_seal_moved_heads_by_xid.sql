-- A seal finds the heads that moved without reading every head.
--
-- Since 0008 a seal lists the heads whose position differs from the one last sealed, but
-- finding them compared every row of audit_chain_heads with audit_sealed_heads: ~105 ms of
-- CPU every 10 s at 160,000 chains, growing with the newsroom's whole history even when
-- nothing moved. Now each head carries the id of the transaction that last moved it
-- (`moved_xid`, indexed), and each seal the oldest transaction that could still have been
-- running when it read the heads (`xmin_bound`: the xmin of its snapshot). Every move the
-- previous seal could not see was made by a transaction at or after its bound, so the next
-- seal compares only the heads moved at or after it. Event ids cannot serve: they are
-- taken in insertion order, not in commit order.
ALTER TABLE audit_chain_heads ADD COLUMN moved_xid xid8;
-- Heads as they are now count as moved by this migration, so the next seal compares them all
-- once (the seals before have no bound).
UPDATE audit_chain_heads SET moved_xid = pg_current_xact_id();
ALTER TABLE audit_chain_heads ALTER COLUMN moved_xid SET NOT NULL;
CREATE INDEX audit_chain_heads_moved ON audit_chain_heads (moved_xid);

ALTER TABLE audit_seals ADD COLUMN xmin_bound xid8;

-- As in 0003, with the mover's transaction id recorded on the head.
CREATE OR REPLACE FUNCTION galley_audit_link() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    head_seq bigint;
    head_hash text;
BEGIN
    LOOP
        UPDATE audit_chain_heads SET seq = seq + 1, moved_xid = pg_current_xact_id() WHERE chain = NEW.chain
        RETURNING seq, hash INTO head_seq, head_hash;
        EXIT WHEN FOUND;
        INSERT INTO audit_chain_heads (chain, seq, hash, moved_xid) VALUES (NEW.chain, 0, '', pg_current_xact_id())
        ON CONFLICT (chain) DO NOTHING;
    END LOOP;
    NEW.seq := head_seq;
    NEW.prev_hash := head_hash;
    NEW.at := date_trunc('microseconds', NEW.at);
    NEW.hash := encode(sha256(convert_to(galley_audit_canonical(NEW), 'UTF8')), 'hex');
    UPDATE audit_chain_heads SET hash = NEW.hash WHERE chain = NEW.chain;
    RETURN NEW;
END
$$;
