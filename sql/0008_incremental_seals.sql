-- A seal lists only the chain heads that moved since the previous seal, not every head.
--
-- A seal of every head cost ~0.4 s of CPU at 86,000 chains and stored ~8 MB each minute that
-- anything happened (~12 GB a day for a busy newsroom), and `verify` held every listed head
-- of every seal in memory. What a seal proves is unchanged: each listed event existed with
-- that hash, and the seals form one hash chain, so a head vouched for once stays vouched
-- for; removing a chain's newest events, or a whole chain, is still detected.
--
-- `sealed_seq` is the position the last seal listed for the chain (NULL: never sealed). It
-- is not indexed, so the trigger's update of a head stays a HOT update.
ALTER TABLE audit_chain_heads ADD COLUMN sealed_seq bigint;

-- Heads as the last (full) seal listed them count as sealed.
UPDATE audit_chain_heads h SET sealed_seq = h.seq
FROM (SELECT jsonb_array_elements(heads) AS head FROM audit_seals WHERE id = (SELECT max(id) FROM audit_seals)) s
WHERE h.chain = s.head ->> 0 AND h.seq = (s.head ->> 1)::bigint AND h.hash = s.head ->> 2;

COMMENT ON COLUMN audit_seals.heads IS
    '[[chain, seq, hash], …] sorted by chain: the heads that moved since the previous seal (every head, in seals made before 0008).';
