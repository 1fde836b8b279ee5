-- Follow-up rows are found by index only while pending: every query of the product that searches them by due time or by
-- case asks for status = 'pending'. Kept parallel to db/sqlite/0013_follow_up_indexes_pending_only.sql, which says why.
-- IF [NOT] EXISTS: on a large database an operator may build the new ones beforehand with CREATE INDEX CONCURRENTLY
-- under these names (docs/operations.md, Upgrades).

CREATE INDEX IF NOT EXISTS ix_follow_ups_pending_due  ON follow_ups (due_at, id)     WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS ix_follow_ups_pending_case ON follow_ups (case_id, state) WHERE status = 'pending';
DROP INDEX IF EXISTS ix_follow_ups_due;
DROP INDEX IF EXISTS ix_follow_ups_case;
