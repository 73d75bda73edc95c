-- scripts/bench-scale, generation step 2, once per chunk of articles: the audit events of
-- articles :lo to :hi, as the app writes them along the lifecycle below, numbered and linked
-- into their chains exactly as the linking trigger (galley_audit_link) does: `seq` 1, 2, 3…,
-- `prev_hash` the previous event's hash, `hash` the SHA-256 of galley_audit_canonical. The
-- trigger links one row at a time, updating the chain's head twice an event; here each step
-- of every chain in the chunk is hashed by one statement, and chunks run side by side. The session runs with session_replication_role = replica, so
-- neither the trigger nor foreign keys nor the outbox fire; the chains' heads are written at
-- the end as the trigger leaves them, and `galley audit verify` recomputes everything.
\set ON_ERROR_STOP 1
SET synchronous_commit = off;
SET work_mem = '256MB';
SET temp_buffers = '1GB';
SET session_replication_role = replica;
BEGIN;
CREATE TEMP TABLE chunk_events ON COMMIT DROP AS SELECT * FROM audit_events LIMIT 0;
ALTER TABLE chunk_events ADD COLUMN n int;
INSERT INTO chunk_events (chain, seq, prev_hash, hash, actor_id, actor_name, action, article_id, revision, from_state,
                          to_state, reason, details, request_id, at, n)
SELECT 'article:' || p.id, row_number() OVER (PARTITION BY p.n ORDER BY CASE s.k WHEN 21 THEN 3 ELSE s.k END), '', '', x.actor_id, x.actor_name, x.action, p.id, x.revision, x.from_state, x.to_state,
       x.reason, x.details, CASE WHEN s.k <> 20 THEN md5('bench-scale-request-' || p.n || '-' || s.k)::uuid::text END,
       date_trunc('microseconds', p.t0 + (CASE s.k WHEN 21 THEN 3 ELSE s.k END - 1) * interval '5 minutes'), p.n
FROM bench_scale_plan p
JOIN generate_series(1, 21) s (k) ON (s.k <= p.last_step AND s.k <= 20) OR (s.k = 21 AND p.state = 'spiked')
JOIN actors w ON w.id = p.writer
JOIN actors e ON e.id = p.editor
JOIN actors c ON c.id = p.checker
JOIN actors ag ON ag.id = p.assignee
CROSS JOIN LATERAL (
    SELECT
        CASE WHEN s.k IN (1, 2, 3, 7, 8, 9, 10) THEN w.id WHEN s.k IN (5, 13, 14, 15, 17) THEN c.id WHEN s.k = 20 THEN NULL
             ELSE e.id END AS actor_id,
        CASE WHEN s.k IN (1, 2, 3, 7, 8, 9, 10) THEN w.name WHEN s.k IN (5, 13, 14, 15, 17) THEN c.name
             WHEN s.k = 20 THEN 'system:scheduler' ELSE e.name END AS actor_name,
        (ARRAY['article.created', 'article.edited', 'article.submit', 'assignment.created', 'verification.recorded',
               'article.request_changes', 'article.edited', 'claim.added', 'claim.added', 'article.submit',
               'assignment.created', 'comment.added', 'claim.updated', 'claim.updated', 'claim.updated', 'comment.resolved',
               'verification.recorded', 'article.approve', 'article.schedule', 'article.publish', 'article.spike'])[s.k] AS action,
        CASE WHEN s.k = 1 THEN 1 WHEN s.k <= 6 OR s.k = 21 THEN 2 ELSE 3 END AS revision,
        (ARRAY[NULL, 'draft', 'draft', 'in_review', 'in_review', 'in_review', 'draft', 'draft', 'draft', 'draft', 'in_review',
               NULL, 'in_review', 'in_review', 'in_review', NULL, 'in_review', 'in_review', 'approved', 'scheduled', 'draft'])[s.k] AS from_state,
        (ARRAY['draft', 'draft', 'in_review', 'in_review', 'in_review', 'draft', 'draft', 'draft', 'draft', 'in_review',
               'in_review', NULL, 'in_review', 'in_review', 'in_review', NULL, 'in_review', 'approved', 'scheduled', 'published',
               'spiked'])[s.k] AS to_state,
        CASE s.k WHEN 5 THEN 'A source is missing.' WHEN 6 THEN 'Please add the missing source.' WHEN 21 THEN 'Not running this.' END AS reason,
        CASE
            WHEN s.k = 1 THEN jsonb_build_object('slug', p.slug, 'origin', 'human', 'section', p.section, 'content_hash', p.h1)
            WHEN s.k IN (2, 7) THEN jsonb_build_object('content_hash', CASE s.k WHEN 2 THEN p.h2 ELSE p.h3 END,
                                                       'previous_revision', CASE s.k WHEN 2 THEN 1 ELSE 2 END)
            WHEN s.k IN (4, 11) THEN jsonb_build_object('step', 'source_check', 'due_at', NULL,
                'assignee', CASE s.k WHEN 4 THEN c.name ELSE ag.name END,
                'assignment_id', md5('bench-scale-assignment-' || CASE s.k WHEN 4 THEN 1 ELSE 2 END || '-' || p.n)::uuid)
            WHEN s.k IN (5, 17) THEN jsonb_build_object('verdict', CASE s.k WHEN 5 THEN 'failed' ELSE 'passed' END,
                'evidence', '[]'::jsonb, 'checkpoint', 'source_check', 'content_hash', CASE s.k WHEN 5 THEN p.h2 ELSE p.h3 END,
                'verification_id', md5('bench-scale-verification-' || CASE s.k WHEN 5 THEN 1 ELSE 2 END || '-' || p.n)::uuid)
            WHEN s.k IN (8, 9) THEN jsonb_build_object('claim_id', md5('bench-scale-claim-' || (s.k - 7) || '-' || p.n)::uuid,
                'text', CASE s.k WHEN 8 THEN 'Complaints rose by a third last year.' ELSE 'The first phase is paid for.' END,
                'status', 'unverified')
            WHEN s.k IN (13, 14, 15) THEN jsonb_build_object(
                'claim_id', md5('bench-scale-claim-' || CASE s.k WHEN 15 THEN 2 ELSE 1 END || '-' || p.n)::uuid,
                'from_status', CASE s.k WHEN 14 THEN 'disputed' ELSE 'unverified' END,
                'to_status', CASE s.k WHEN 13 THEN 'disputed' ELSE 'verified' END, 'evidence', '[]'::jsonb)
            WHEN s.k = 12 THEN jsonb_build_object('body', 'Which report is this from?', 'quote', 'complaints rose by a third',
                'thread_id', md5('bench-scale-comment-' || p.n)::uuid, 'comment_id', md5('bench-scale-comment-' || p.n)::uuid)
            WHEN s.k = 16 THEN jsonb_build_object('comment_id', md5('bench-scale-comment-' || p.n)::uuid,
                'thread_id', md5('bench-scale-comment-' || p.n)::uuid, 'resolved', true)
            WHEN s.k = 18 THEN jsonb_build_object('content_hash', p.h3)
            WHEN s.k = 19 THEN jsonb_build_object('publish_at',
                to_char(date_trunc('second', p.t0 + 19 * interval '5 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
            WHEN s.k = 20 THEN jsonb_build_object('content_hash', p.h3, 'previous_live_revision', NULL)
            ELSE '{}'::jsonb
        END AS details
) x
WHERE p.n BETWEEN :lo AND :hi;
CREATE INDEX ON chunk_events (n, seq);
ANALYZE chunk_events;

-- Step by step along every chain at once: an event's hash covers its predecessor's.
UPDATE chunk_events e SET hash = encode(sha256(convert_to(galley_audit_canonical(ROW(e.id, e.chain, e.seq, e.prev_hash, e.hash, e.actor_id,
        e.actor_name, e.action, e.article_id, e.revision, e.from_state, e.to_state, e.reason, e.details, e.request_id, e.at)::audit_events),
        'UTF8')), 'hex')
WHERE e.seq = 1;
DO $$
DECLARE
    step bigint;
BEGIN
    FOR step IN 2..(SELECT max(seq) FROM chunk_events) LOOP
        UPDATE chunk_events e SET prev_hash = p.hash,
            hash = encode(sha256(convert_to(galley_audit_canonical(ROW(e.id, e.chain, e.seq, p.hash, e.hash, e.actor_id, e.actor_name, e.action,
                e.article_id, e.revision, e.from_state, e.to_state, e.reason, e.details, e.request_id, e.at)::audit_events), 'UTF8')), 'hex')
        FROM chunk_events p
        WHERE e.seq = step AND p.n = e.n AND p.seq = step - 1;
    END LOOP;
END
$$;

-- In time order, as they happened; ids are taken in this order.
INSERT INTO audit_events (chain, seq, prev_hash, hash, actor_id, actor_name, action, article_id, revision, from_state,
                          to_state, reason, details, request_id, at)
SELECT chain, seq, prev_hash, hash, actor_id, actor_name, action, article_id, revision, from_state, to_state, reason, details,
       request_id, at
FROM chunk_events ORDER BY at, n, seq;
-- Each chain's head, moved by this transaction (what galley_audit_head_moved records).
INSERT INTO audit_chain_heads (chain, seq, hash, moved_xid)
SELECT DISTINCT ON (n) chain, seq, hash, pg_current_xact_id() FROM chunk_events ORDER BY n, seq DESC;
COMMIT;
