-- Idempotency keys are reserved before the work they guard: the row is inserted, without an
-- answer, and committed before the request runs, so a concurrent duplicate finds it under the
-- primary key and waits or is told to retry instead of doing the work again. `reservation`
-- names the request holding the key; the answer (`status`, `body`) is stored when it ends.
-- A request that fails deletes its reservation; one whose server died leaves it, and it may be
-- taken over once old enough (IdempotencyService.reservationLease). Keys expire after
-- GALLEY_IDEMPOTENCY_TTL and are pruned by `galley serve` (by `created_at`).
ALTER TABLE idempotency_keys
    ALTER COLUMN status DROP NOT NULL,
    ALTER COLUMN body DROP NOT NULL,
    ADD COLUMN reservation uuid,
    ADD CONSTRAINT idempotency_keys_answer_whole CHECK ((status IS NULL) = (body IS NULL)),
    ADD CONSTRAINT idempotency_keys_answered_or_reserved CHECK (status IS NOT NULL OR reservation IS NOT NULL);

CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
