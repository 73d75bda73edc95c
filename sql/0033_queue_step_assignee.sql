-- Each open step carries who it is assigned to and by when (its open assignment's assignee_id
-- and due_at; NULL when nobody is assigned), so that a person's queue is a walk of their
-- steps in waiting order (queue_steps_assigned) instead of a probe of queue_steps for each
-- of their open assignments and a sort of them all, and the unassigned steps are those with
-- no assignee instead of a probe of assignments for each. The triggers keep the copy exact:
-- an assignment that opens, ends or changes sets its step's after its statement (when every
-- change of that statement is visible, steps it opened included); a step that opens takes its
-- open assignment's. queue_steps holds only open steps (tens of thousands in a big newsroom),
-- so its column and indexes are added here in a transaction, in a moment.
ALTER TABLE queue_steps ADD COLUMN assignee_id uuid, ADD COLUMN due_at timestamptz;
UPDATE queue_steps s SET assignee_id = x.assignee_id, due_at = x.due_at
FROM assignments x WHERE x.article_id = s.article_id AND x.step = s.step AND x.ended_at IS NULL;
CREATE INDEX queue_steps_assigned ON queue_steps (assignee_id, waiting_since, article_id, step) WHERE assignee_id IS NOT NULL;
CREATE INDEX queue_steps_due ON queue_steps (due_at) WHERE due_at IS NOT NULL;

CREATE FUNCTION galley_queue_step_takes_assignment() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT x.assignee_id, x.due_at INTO NEW.assignee_id, NEW.due_at
    FROM assignments x WHERE x.article_id = NEW.article_id AND x.step = NEW.step AND x.ended_at IS NULL;
    RETURN NEW;
END
$$;
CREATE TRIGGER queue_steps_assignee BEFORE INSERT ON queue_steps
    FOR EACH ROW EXECUTE FUNCTION galley_queue_step_takes_assignment();

CREATE FUNCTION galley_assignment_sets_queue_step() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE queue_steps s SET assignee_id = x.assignee_id, due_at = x.due_at
    FROM (SELECT NEW.article_id, NEW.step) n (article_id, step)
    LEFT JOIN assignments x ON x.article_id = n.article_id AND x.step = n.step AND x.ended_at IS NULL
    WHERE s.article_id = n.article_id AND s.step = n.step
      AND (s.assignee_id IS DISTINCT FROM x.assignee_id OR s.due_at IS DISTINCT FROM x.due_at);
    RETURN NULL;
END
$$;
CREATE TRIGGER assignments_queue_step AFTER INSERT OR UPDATE OF assignee_id, due_at, ended_at ON assignments
    FOR EACH ROW EXECUTE FUNCTION galley_assignment_sets_queue_step();
