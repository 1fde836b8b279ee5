-- Follow-up rows by the job that wakes them. Kept parallel to db/postgres/0011_follow_up_job_index.sql.
-- A job finds the pending rows that name it (FollowUps/FollowUpJobRunner.cs), and a cancelled row's job is kept while
-- another pending row still names it (FollowUps/FollowUpArming.cs). Without this index both searched ix_follow_ups_due
-- by status and read every pending row of every open case: with 300,000 pending rows, 330 ms a query on an in-memory
-- SQLite database, paid when a job fires and after every command that cancels a follow-up. Partial, as the queries only
-- ask for pending rows, and ordered by due time so the job's rows come out in firing order without a sort.
-- IF NOT EXISTS: on a large PostgreSQL database an operator may build it beforehand with CREATE INDEX CONCURRENTLY
-- under this name (docs/operations.md, Upgrades).

CREATE INDEX IF NOT EXISTS ix_follow_ups_pending_job ON follow_ups (job_id, due_at) WHERE status = 'pending';
