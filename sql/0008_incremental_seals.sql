-- A seal lists only the chain heads that moved since the previous seal, not every head.
--
-- A seal of every head cost ~0.4 s of CPU at 86,000 chains and stored ~8 MB each minute that
-- anything happened (~12 GB a day for a busy newsroom), and `verify` held every listed head
-- of every seal in memory. What a seal proves is unchanged: each listed event existed with
-- that hash, and the seals form one hash chain, so a head vouched for once stays vouched
-- for; removing a chain's newest events, or a whole chain, is still detected.
--
-- `audit_sealed_heads` holds, per chain, the position the last seal listed. It is kept apart
-- from audit_chain_heads, which every event updates: marking the heads there made the sealer
-- and the writers of those chains wait for each other's row locks.
CREATE TABLE audit_sealed_heads (
    chain text PRIMARY KEY,
    seq bigint NOT NULL
);

-- Heads as the last (full) seal listed them count as sealed.
INSERT INTO audit_sealed_heads (chain, seq)
SELECT h.chain, h.seq
FROM audit_chain_heads h
JOIN (SELECT jsonb_array_elements(heads) AS head FROM audit_seals WHERE id = (SELECT max(id) FROM audit_seals)) s
    ON h.chain = s.head ->> 0 AND h.seq = (s.head ->> 1)::bigint AND h.hash = s.head ->> 2;

GRANT SELECT, INSERT, UPDATE ON audit_sealed_heads TO galley_app;

COMMENT ON COLUMN audit_seals.heads IS
    '[[chain, seq, hash], …] sorted by chain: the heads that moved since the previous seal (every head, in seals made before 0008).';
