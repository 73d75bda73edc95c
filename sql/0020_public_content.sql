-- The published side (docs/content.md): when each article first went live and when what
-- readers see of it last changed, and one counter of every change the public can see, so
-- that servers keep rendered representations and still show a change on the next request
-- after its commit.

ALTER TABLE articles
    ADD COLUMN first_published_at timestamptz,
    ADD COLUMN public_updated_at timestamptz;

UPDATE articles a SET first_published_at = p.first_at, public_updated_at = greatest(p.last_at, c.last_at)
FROM (SELECT article_id, min(published_at) AS first_at, max(published_at) AS last_at FROM publications GROUP BY article_id) p
LEFT JOIN (SELECT article_id, max(created_at) AS last_at FROM corrections GROUP BY article_id) c USING (article_id)
WHERE a.id = p.article_id;

-- Newest first over what is live, and its cursor's tie-break.
CREATE INDEX articles_public ON articles (first_published_at DESC, id) WHERE live_revision IS NOT NULL;

-- A transition's time is the article's updated_at: publishing, unpublishing and retracting
-- stamp the public dates with it.
CREATE FUNCTION galley_stamp_public_dates() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.live_revision IS NOT NULL THEN
        NEW.first_published_at := COALESCE(OLD.first_published_at, NEW.updated_at);
    END IF;
    NEW.public_updated_at := NEW.updated_at;
    RETURN NEW;
END
$$;
CREATE TRIGGER articles_public_dates BEFORE UPDATE ON articles
    FOR EACH ROW WHEN (NEW.live_revision IS DISTINCT FROM OLD.live_revision OR NEW.state IS DISTINCT FROM OLD.state
                       AND 'retracted' IN (NEW.state, OLD.state))
    EXECUTE FUNCTION galley_stamp_public_dates();

CREATE TABLE content_generation (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    generation bigint NOT NULL
);
INSERT INTO content_generation (generation) VALUES (1);

-- Owned by the migrations' role: the app may read the counter and cannot move it but
-- through the changes that move it.
CREATE FUNCTION galley_public_content_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE content_generation SET generation = generation + 1;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION galley_public_content_changed() FROM PUBLIC;

CREATE TRIGGER articles_public_change AFTER UPDATE ON articles
    FOR EACH ROW WHEN (NEW.live_revision IS DISTINCT FROM OLD.live_revision OR NEW.state IS DISTINCT FROM OLD.state
                       AND 'retracted' IN (NEW.state, OLD.state))
    EXECUTE FUNCTION galley_public_content_changed();
CREATE TRIGGER corrections_public_change AFTER INSERT ON corrections
    FOR EACH STATEMENT EXECUTE FUNCTION galley_public_content_changed();
-- The review record shows names and roles, verdicts and claims of the live text, and the
-- seal that covers each article's last event.
CREATE TRIGGER actors_public_change AFTER UPDATE OF display_name, roles ON actors
    FOR EACH STATEMENT EXECUTE FUNCTION galley_public_content_changed();
CREATE TRIGGER audit_seals_public_change AFTER INSERT ON audit_seals
    FOR EACH STATEMENT EXECUTE FUNCTION galley_public_content_changed();
CREATE TRIGGER audit_seal_signatures_public_change AFTER INSERT ON audit_seal_signatures
    FOR EACH STATEMENT EXECUTE FUNCTION galley_public_content_changed();

CREATE FUNCTION galley_live_review_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM articles WHERE id = NEW.article_id AND live_revision = NEW.revision) THEN
        UPDATE content_generation SET generation = generation + 1;
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION galley_live_review_changed() FROM PUBLIC;
CREATE TRIGGER verifications_public_change AFTER INSERT ON verifications
    FOR EACH ROW EXECUTE FUNCTION galley_live_review_changed();
CREATE TRIGGER claims_public_change AFTER INSERT OR UPDATE ON claims
    FOR EACH ROW EXECUTE FUNCTION galley_live_review_changed();

-- New tables default to SELECT, INSERT for the app (0013); this one it only reads.
REVOKE INSERT ON content_generation FROM galley_app;
