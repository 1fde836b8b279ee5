-- Follow-ups on the clock (issue 4). Kept parallel to db/postgres/0006_follow_up_clock.sql.
-- SLA warnings and breaches become follow-ups like the others (kinds sla-warning, sla-breach; state '*' when they
-- belong to the case rather than to one state), and each row records when it fired, so lateness can be measured.
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt with its rows (nothing references it).

CREATE TABLE follow_ups_v6 (
    id             TEXT    NOT NULL PRIMARY KEY,
    case_id        TEXT    NOT NULL REFERENCES cases (id),
    state          TEXT    NOT NULL,
    follow_up_key  TEXT    NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('remind', 'fire', 'sla-warning', 'sla-breach')),
    template       TEXT    NULL,
    trigger_name   TEXT    NULL,
    due_at         TEXT    NOT NULL,
    repeats_left   INTEGER NOT NULL,
    every_seconds  INTEGER NULL,
    status         TEXT    NOT NULL CHECK (status IN ('pending', 'done', 'cancelled')),
    attempt        INTEGER NOT NULL DEFAULT 0,
    job_id         TEXT    NULL,
    created_at     TEXT    NOT NULL,
    fired_at       TEXT    NULL
);
INSERT INTO follow_ups_v6 (id, case_id, state, follow_up_key, kind, template, trigger_name, due_at, repeats_left, every_seconds, status, attempt, job_id, created_at)
SELECT id, case_id, state, follow_up_key, kind, template, trigger_name, due_at, repeats_left, every_seconds, status, attempt, job_id, created_at
  FROM follow_ups;
DROP TABLE follow_ups;
ALTER TABLE follow_ups_v6 RENAME TO follow_ups;
CREATE INDEX ix_follow_ups_due ON follow_ups (status, due_at);
CREATE INDEX ix_follow_ups_case ON follow_ups (case_id, status);
