-- scripts/bench-scale, after generating: the number of rows that a foreign key would have
-- refused, had it fired in the generating sessions. Must print 0.
SELECT
    (SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.article_id = a.id AND r.number = a.current_revision))
  + (SELECT count(*) FROM articles a WHERE a.responsible_editor_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM actors x WHERE x.id = a.responsible_editor_id))
  + (SELECT count(*) FROM revisions r WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = r.article_id)
        OR NOT EXISTS (SELECT 1 FROM actors x WHERE x.id = r.author_id))
  + (SELECT count(*) FROM sources s WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.article_id = s.article_id AND r.number = s.revision))
  + (SELECT count(*) FROM article_search s WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = s.article_id))
  + (SELECT count(*) FROM claims c WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.article_id = c.article_id AND r.number = c.revision)
        OR NOT EXISTS (SELECT 1 FROM actors x WHERE x.id = c.created_by) OR NOT EXISTS (SELECT 1 FROM actors x WHERE x.id = c.updated_by))
  + (SELECT count(*) FROM verifications v WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.article_id = v.article_id AND r.number = v.revision)
        OR NOT EXISTS (SELECT 1 FROM actors x WHERE x.id = v.actor_id))
  + (SELECT count(*) FROM approvals v WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.article_id = v.article_id AND r.number = v.revision)
        OR NOT EXISTS (SELECT 1 FROM actors x WHERE x.id = v.approver_id))
  + (SELECT count(*) FROM publications v WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.article_id = v.article_id AND r.number = v.revision)
        OR NOT EXISTS (SELECT 1 FROM actors x WHERE x.id = v.responsible_editor_id))
  + (SELECT count(*) FROM assignments s WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = s.article_id)
        OR NOT EXISTS (SELECT 1 FROM actors x WHERE x.id = s.assignee_id))
  + (SELECT count(*) FROM comments c WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.article_id = c.article_id AND r.number = c.revision)
        OR NOT EXISTS (SELECT 1 FROM actors x WHERE x.id = c.author_id))
  + (SELECT count(*) FROM queue_steps s WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = s.article_id))
  + (SELECT count(*) FROM audit_events e WHERE e.actor_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM actors x WHERE x.id = e.actor_id))
  + (SELECT count(*) FROM audit_events e WHERE e.article_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = e.article_id));
