-- Every index on cases that holds updated_at is rewritten each time a command touches a case, and a command touches one
-- almost every time. Open cases are the ones commands touch, so their indexes are kept small in number, and closed
-- cases get indexes of their own that open cases never enter. Kept parallel to db/postgres/0012_queue_indexes_open_and_closed.sql.
--
-- Before: 11 such indexes took a new entry for each command on an open case (ix_cases_queue, ix_cases_assignee and
-- ix_cases_workflow_state from 0001, ix_cases_recent from 0004, three from 0010, and 0004's four open ones). After:
-- the four open ones, plus ix_cases_waiting while a case waits on the merchant (and ix_cases_escalated while escalated).
-- Under the load driver the web host writes about a fifth fewer bytes a command (docs/benchmarks.md, 2026-12-06).
--
-- A list of open and closed cases together (the queue's "closed included", FindCases, the webhook sweep) reads both
-- ranges in order, at most a page from each, and merges them (Cases/CaseLists.cs).
-- The counts (Cases/QueueQuery.cs) read open indexes only. The open and waiting indexes end with state_kind so that
-- a count needs no row: SQLite does not treat a partial index's WHERE column as covered.

DROP INDEX ix_cases_queue;
DROP INDEX ix_cases_assignee;
DROP INDEX ix_cases_workflow_state;
DROP INDEX ix_cases_recent;
DROP INDEX ix_cases_type_recent;
DROP INDEX ix_cases_state_recent;
DROP INDEX ix_cases_assignee_recent;

DROP INDEX ix_cases_open_recent;
DROP INDEX ix_cases_open_assignee;
CREATE INDEX ix_cases_open_recent     ON cases (updated_at, id, state_kind)              WHERE state_kind <> 'final';
CREATE INDEX ix_cases_open_assignee   ON cases (assignee_id, updated_at, id, state_kind) WHERE state_kind <> 'final';
CREATE INDEX ix_cases_waiting         ON cases (updated_at, id, state_kind)              WHERE state_kind = 'waiting-on-merchant';

CREATE INDEX ix_cases_closed_recent   ON cases (updated_at, id)              WHERE state_kind = 'final';
CREATE INDEX ix_cases_closed_assignee ON cases (assignee_id, updated_at, id) WHERE state_kind = 'final';
CREATE INDEX ix_cases_closed_type     ON cases (workflow_id, updated_at, id) WHERE state_kind = 'final';
CREATE INDEX ix_cases_closed_state    ON cases (state, updated_at, id)       WHERE state_kind = 'final';

-- Unchanged, but made again last: without statistics (this database keeps none) SQLite takes the newest of two indexes
-- it rates alike, and the escalated queue and its count must read this one, not every open case's entry.
DROP INDEX ix_cases_escalated;
CREATE INDEX ix_cases_escalated       ON cases (updated_at, id)              WHERE state_kind <> 'final' AND (escalation_tier > 0 OR state = 'escalated');
