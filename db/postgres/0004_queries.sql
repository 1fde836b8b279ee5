-- Indexes for the dashboard's case queue (Cases/QueueQuery.cs). Kept parallel to
-- db/sqlite/0004_queries.sql. The queue lists newest first, keyset-paged on (updated_at, id); each filter has an
-- index that yields its rows already in that order, so a page reads about 51 index entries whatever the table size.
-- Text search (LIKE/ILIKE '%...%') cannot use a B-tree: it filters rows during that ordered walk (QueueQuery.cs).
-- "Open" is state_kind <> 'final'; the queries repeat these partial-index predicates word for word.

CREATE INDEX ix_cases_open_recent   ON cases (updated_at, id)              WHERE state_kind <> 'final';
CREATE INDEX ix_cases_open_assignee ON cases (assignee_id, updated_at, id) WHERE state_kind <> 'final';
CREATE INDEX ix_cases_open_type     ON cases (workflow_id, updated_at, id) WHERE state_kind <> 'final';
CREATE INDEX ix_cases_open_state    ON cases (state, updated_at, id)       WHERE state_kind <> 'final';
CREATE INDEX ix_cases_escalated     ON cases (updated_at, id)              WHERE state_kind <> 'final' AND (escalation_tier > 0 OR state = 'escalated');
-- Closed cases too (the queue's "include closed"): newest first over everything.
CREATE INDEX ix_cases_recent        ON cases (updated_at, id);
