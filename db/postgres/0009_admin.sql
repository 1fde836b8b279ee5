-- Administration (dashboard admin pages): a user can be disabled (never deleted: cases point at users) and the last
-- successful sign-in is kept for the users list (Users/*.cs). The queues "SLA at risk" and "Breached" (Cases/QueueQuery.cs)
-- ask per case whether an SLA warning or breach was recorded: small partial indexes, one per event kind.
-- Kept parallel to db/sqlite/0009_admin.sql.

ALTER TABLE users ADD COLUMN disabled_at timestamptz NULL;
ALTER TABLE users ADD COLUMN last_sign_in_at timestamptz NULL;

CREATE INDEX ix_case_events_sla_warning ON case_events (case_id) WHERE kind = 'sla-warning';
CREATE INDEX ix_case_events_sla_breached ON case_events (case_id) WHERE kind = 'sla-breached';
