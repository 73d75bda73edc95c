-- Seals are signed with Ed25519, so that anyone holding the public key can check a seal
-- without the database (docs/audit.md, "Signed seals"; docs/decisions.md).
--
-- The seal's hash is still computed by PostgreSQL inside the seal's INSERT, so sealing keeps
-- taking no server memory however many chains moved. The signature covers that hash, so it
-- can only be made after the INSERT: it is a row of its own, written by the sealer in the same
-- transaction, and as immutable as the seal. A seal without a signature row was made by a
-- server with no key (GALLEY_SEAL_KEY unset), or before this migration.
CREATE TABLE audit_seal_signatures (
    seal_id bigint PRIMARY KEY REFERENCES audit_seals (id),
    -- The signing key's RFC 7638 thumbprint (its JWK `kid`).
    key_id text NOT NULL CHECK (length(key_id) BETWEEN 1 AND 100),
    -- Ed25519 over the seal's signed bytes, base64url without padding.
    signature text NOT NULL CHECK (length(signature) BETWEEN 1 AND 200)
);
CREATE TRIGGER audit_seal_signatures_are_immutable BEFORE UPDATE OR DELETE ON audit_seal_signatures
    FOR EACH ROW EXECUTE FUNCTION galley_refuse_change();
CREATE TRIGGER audit_seal_signatures_are_not_truncated BEFORE TRUNCATE ON audit_seal_signatures
    FOR EACH STATEMENT EXECUTE FUNCTION galley_refuse_change();
-- SELECT and INSERT come from sql/0013's default privileges; said again, as the whole grant.
GRANT SELECT, INSERT ON audit_seal_signatures TO galley_app;

-- How many chains a seal covers: every chain sealed so far, its own moved heads included.
-- Counted once per seal from the previous seal's count, so it costs what moved; NULL in the
-- seals made before this migration.
ALTER TABLE audit_seals ADD COLUMN chains integer CHECK (chains >= 0);
