-- Every index on cases that holds updated_at takes a new entry each time a command touches a case (no HOT update is
-- possible while an indexed column changes), and a command touches one almost every time. Open cases are the ones
-- commands touch, so their indexes are kept small in number, and closed cases get indexes of their own that open cases
-- never enter. Kept parallel to db/sqlite/0012_queue_indexes_open_and_closed.sql, which says what was measured.
--
-- A list of open and closed cases together (the queue's "closed included", FindCases, the webhook sweep) reads both
-- ranges in order, at most a page from each, and merges them (Cases/CaseLists.cs). PostgreSQL counts over a partial
-- index without reading rows when the query repeats its predicate, so the open indexes keep their 0004 columns here
-- (SQLite's twins end with state_kind for that).
-- IF [NOT] EXISTS: on a large database an operator may build the new ones beforehand with CREATE INDEX CONCURRENTLY
-- under these names (docs/operations.md, Upgrades).

DROP INDEX IF EXISTS ix_cases_queue;
DROP INDEX IF EXISTS ix_cases_assignee;
DROP INDEX IF EXISTS ix_cases_workflow_state;
DROP INDEX IF EXISTS ix_cases_recent;
DROP INDEX IF EXISTS ix_cases_type_recent;
DROP INDEX IF EXISTS ix_cases_state_recent;
DROP INDEX IF EXISTS ix_cases_assignee_recent;

CREATE INDEX IF NOT EXISTS ix_cases_waiting         ON cases (updated_at, id)              WHERE state_kind = 'waiting-on-merchant';
CREATE INDEX IF NOT EXISTS ix_cases_closed_recent   ON cases (updated_at, id)              WHERE state_kind = 'final';
CREATE INDEX IF NOT EXISTS ix_cases_closed_assignee ON cases (assignee_id, updated_at, id) WHERE state_kind = 'final';
CREATE INDEX IF NOT EXISTS ix_cases_closed_type     ON cases (workflow_id, updated_at, id) WHERE state_kind = 'final';
CREATE INDEX IF NOT EXISTS ix_cases_closed_state    ON cases (state, updated_at, id)       WHERE state_kind = 'final';
