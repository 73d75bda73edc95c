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

-- Whatever moves a head (the audit trigger's `UPDATE … SET seq = seq + 1`, or its insert of
-- a new chain) records its transaction there.
CREATE FUNCTION galley_audit_head_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.moved_xid := pg_current_xact_id();
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_chain_heads_record_mover BEFORE INSERT OR UPDATE OF seq ON audit_chain_heads
    FOR EACH ROW EXECUTE FUNCTION galley_audit_head_moved();
