-- Desk sessions as the app may change them: it marks a session seen and ends it, and
-- nothing more. No one can revive an ended session, move one to another actor, or change
-- its secret, from the app's login or (through the trigger) the owner's by mistake.
-- See docs/security.md, "The desk's sign-in".

REVOKE UPDATE ON desk_sessions FROM galley_app;
GRANT UPDATE (last_seen_at, ended_at, ended_reason) ON desk_sessions TO galley_app;

CREATE FUNCTION galley_desk_session_end_is_final() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.ended_at IS NOT NULL
       AND (NEW.ended_at IS DISTINCT FROM OLD.ended_at OR NEW.ended_reason IS DISTINCT FROM OLD.ended_reason) THEN
        RAISE EXCEPTION 'desk session % ended at % and stays ended', OLD.id, OLD.ended_at
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Sign in again for a new session.';
    END IF;
    IF NEW.id <> OLD.id OR NEW.actor_id <> OLD.actor_id OR NEW.secret_hash <> OLD.secret_hash
       OR NEW.created_at <> OLD.created_at THEN
        RAISE EXCEPTION 'desk session %: only last_seen_at and its end may change', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER desk_sessions_end_is_final BEFORE UPDATE ON desk_sessions
    FOR EACH ROW EXECUTE FUNCTION galley_desk_session_end_is_final();
