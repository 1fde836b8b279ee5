-- Indexes for the queue with closed cases included (Cases/QueueQuery.cs, OpenOnly = false). Kept parallel to
-- db/postgres/0010_queue_indexes.sql. 0004's indexes cover open cases only (partial), so "include closed" with a type,
-- state or assignee filter walked ix_cases_recent over every case and filtered: with 1,000,000 cases, mostly closed,
-- a rare type took 100+ ms a page (measured by the load driver's queue mode; see docs/benchmarks.md). Each index here
-- yields that filter's rows already in queue order (updated_at, id), so a page reads about 51 index entries.

CREATE INDEX ix_cases_type_recent     ON cases (workflow_id, updated_at, id);
CREATE INDEX ix_cases_state_recent    ON cases (state, updated_at, id);
CREATE INDEX ix_cases_assignee_recent ON cases (assignee_id, updated_at, id);
