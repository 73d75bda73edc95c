-- The count of public changes (0020) moves only when rows readers can see were written.
-- Statement triggers fire on statements that write no row: the sealer's INSERT … SELECT
-- runs every 10 seconds and inserts nothing when no chain moved, and each such run moved
-- the count, so every server forgot every rendered answer every 10 seconds.

CREATE FUNCTION galley_public_rows_added() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM added) THEN
        UPDATE content_generation SET generation = generation + 1;
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION galley_public_rows_added() FROM PUBLIC;

DROP TRIGGER corrections_public_change ON corrections;
CREATE TRIGGER corrections_public_change AFTER INSERT ON corrections
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION galley_public_rows_added();
DROP TRIGGER audit_seals_public_change ON audit_seals;
CREATE TRIGGER audit_seals_public_change AFTER INSERT ON audit_seals
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION galley_public_rows_added();
DROP TRIGGER audit_seal_signatures_public_change ON audit_seal_signatures;
CREATE TRIGGER audit_seal_signatures_public_change AFTER INSERT ON audit_seal_signatures
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION galley_public_rows_added();

-- Transition tables cannot go with a column list: per row, and only for a real change.
DROP TRIGGER actors_public_change ON actors;
CREATE TRIGGER actors_public_change AFTER UPDATE OF display_name, roles ON actors
    FOR EACH ROW WHEN (NEW.display_name IS DISTINCT FROM OLD.display_name OR NEW.roles IS DISTINCT FROM OLD.roles)
    EXECUTE FUNCTION galley_public_content_changed();
