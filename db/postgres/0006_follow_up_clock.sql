-- Follow-ups on the clock (issue 4). Kept parallel to db/sqlite/0006_follow_up_clock.sql.
-- SLA warnings and breaches become follow-ups like the others (kinds sla-warning, sla-breach; state '*' when they
-- belong to the case rather than to one state), and each row records when it fired, so lateness can be measured.

ALTER TABLE follow_ups DROP CONSTRAINT follow_ups_kind_check;
ALTER TABLE follow_ups ADD CONSTRAINT follow_ups_kind_check CHECK (kind IN ('remind', 'fire', 'sla-warning', 'sla-breach'));
ALTER TABLE follow_ups ADD COLUMN fired_at timestamptz NULL;
