-- Follow-up rows are found by index only while pending: every query of the product that searches them by due time or by
-- case asks for status = 'pending' (FollowUps/SweepFollowUps.cs, FollowUps/FollowUpArming.cs, Cases/CaseWorkflow.cs,
-- Cases/GetCase.cs, Cases/MessageRenderer.cs, Cases/QueueQuery.cs). Kept parallel to
-- db/postgres/0013_follow_up_indexes_pending_only.sql.
--
-- Before: ix_follow_ups_due (status, due_at) and ix_follow_ups_case (case_id, status) held every row ever written, and
-- a row that fired or was cancelled moved from the 'pending' part of each to the 'done' or 'cancelled' part: a delete
-- and an insert on other pages of the index, in the same transaction as the command that caused it. Both grew with
-- the whole history. After: a row leaves the partial indexes when it stops being pending, and they hold only the
-- rows that can still fire.

DROP INDEX ix_follow_ups_due;
DROP INDEX ix_follow_ups_case;
CREATE INDEX ix_follow_ups_pending_due  ON follow_ups (due_at, id)     WHERE status = 'pending';
CREATE INDEX ix_follow_ups_pending_case ON follow_ups (case_id, state) WHERE status = 'pending';
