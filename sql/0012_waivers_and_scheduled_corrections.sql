-- Waivers become part of the workflow policy, and a scheduled update of a live article keeps
-- the correction note it will be published with. See docs/workflow.md.

-- Each stored rule states who may waive its checkpoint and on which origins. Rules stored
-- before said nothing and read with the defaults (an editor, on human-origin articles only);
-- writing the defaults into them changes no policy's meaning, only makes it visible.
UPDATE workflow_policies p
SET rules = (
    SELECT jsonb_agg('{"waivable_by": ["editor"], "waivable_for": ["human"]}'::jsonb || rule ORDER BY position)
    FROM jsonb_array_elements(p.rules) WITH ORDINALITY AS r (rule, position)
)
WHERE EXISTS (
    SELECT 1 FROM jsonb_array_elements(p.rules) AS r (rule)
    WHERE NOT (rule ? 'waivable_by' AND rule ? 'waivable_for')
);

-- The public correction note a scheduled republication of changed text will carry, given
-- when it was scheduled; gone once the article leaves `scheduled`.
ALTER TABLE articles
    ADD COLUMN scheduled_correction_note text,
    ADD CONSTRAINT articles_scheduled_correction_note_check CHECK (
        scheduled_correction_note IS NULL OR (state = 'scheduled' AND scheduled_correction_note <> ''));

-- A scheduled article the scheduler could not publish at its due time goes back to
-- `approved` with the audit action `article.publish_failed`; it is published as an event
-- like every other transition.
CREATE OR REPLACE FUNCTION galley_event_type(action text, details jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE action
        WHEN 'article.submit' THEN 'article.submitted'
        WHEN 'article.approve' THEN 'article.approved'
        WHEN 'article.publish' THEN
            CASE WHEN details ? 'correction_number' THEN 'article.corrected' ELSE 'article.published' END
        WHEN 'article.publish_failed' THEN 'article.publish_failed'
        WHEN 'article.unpublish' THEN 'article.unpublished'
        WHEN 'article.retract' THEN 'article.retracted'
        WHEN 'article.spike' THEN 'article.spiked'
        WHEN 'generation.failed' THEN 'generation.failed'
        WHEN 'verification.recorded' THEN 'verification.recorded'
    END
$$;
