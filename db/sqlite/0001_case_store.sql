-- PosSupport case store, SQLite dialect. Kept parallel to db/postgres/0001_case_store.sql.
-- Ids are lower-case Guid text; instants are UTC ISO-8601 text (sortable); dates yyyy-MM-dd; money in fen; rates in bp.

CREATE TABLE workflow_definitions (
    id            TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    json          TEXT    NOT NULL,
    registered_at TEXT    NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE users (
    id            TEXT    NOT NULL PRIMARY KEY,
    login         TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
    skill_group   TEXT    NULL CHECK (skill_group IN ('device', 'billing')),
    away          INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT    NULL,
    created_at    TEXT    NOT NULL
);

CREATE TABLE api_clients (
    id          TEXT NOT NULL PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL CHECK (role IN ('channel', 'agent', 'supervisor', 'admin')),
    key_hash    TEXT NOT NULL UNIQUE,
    webhook_url TEXT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE merchants (
    id                      TEXT    NOT NULL PRIMARY KEY,
    name                    TEXT    NOT NULL,
    licence_number          TEXT    NOT NULL UNIQUE,
    mcc                     TEXT    NOT NULL,
    category                TEXT    NOT NULL,
    phone                   TEXT    NOT NULL,
    preferred_language      TEXT    NOT NULL DEFAULT 'zh-CN',
    trailing_year_volume_fen INTEGER NOT NULL DEFAULT 0,
    created_at              TEXT    NOT NULL
);

CREATE TABLE devices (
    id              TEXT    NOT NULL PRIMARY KEY,
    serial_number   TEXT    NOT NULL UNIQUE,
    model           TEXT    NOT NULL CHECK (model IN ('countertop', 'smart', 'e-signature', 'phone')),
    status          TEXT    NOT NULL CHECK (status IN ('in-stock', 'active', 'faulty', 'returned', 'retired')),
    activated_on    TEXT    NULL,
    merchant_id     TEXT    NULL REFERENCES merchants (id),
    physical_damage INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_devices_merchant ON devices (merchant_id);

CREATE TABLE contracts (
    id                        TEXT    NOT NULL PRIMARY KEY,
    merchant_id               TEXT    NOT NULL UNIQUE REFERENCES merchants (id),
    signed_on                 TEXT    NOT NULL,
    fee_rate_bp               INTEGER NOT NULL,
    data_fee_clause           INTEGER NOT NULL,
    data_fee_amount_fen       INTEGER NOT NULL DEFAULT 0,
    data_fee_period_months    INTEGER NOT NULL DEFAULT 12,
    data_fee_free_days        INTEGER NOT NULL DEFAULT 0,
    data_fee_waiver_volume_fen INTEGER NULL,
    refund_window_days        INTEGER NOT NULL DEFAULT 0,
    fee_notice_clause         INTEGER NOT NULL DEFAULT 0,
    fee_notice_given          INTEGER NOT NULL DEFAULT 0,
    warranty_months           INTEGER NOT NULL,
    deposit_fen               INTEGER NOT NULL DEFAULT 0,
    deposit_paid              INTEGER NOT NULL DEFAULT 0,
    replacement_fee_fen       INTEGER NOT NULL,
    device_leased             INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE case_number_counters (
    prefix TEXT    NOT NULL,
    year   INTEGER NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE cases (
    id                    TEXT    NOT NULL PRIMARY KEY,
    number                TEXT    NOT NULL UNIQUE,
    workflow_id           TEXT    NOT NULL,
    workflow_version      INTEGER NOT NULL,
    state                 TEXT    NOT NULL,
    state_kind            TEXT    NOT NULL,
    priority              TEXT    NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    merchant_id           TEXT    NOT NULL REFERENCES merchants (id),
    device_id             TEXT    NULL REFERENCES devices (id),
    assignee_id           TEXT    NULL REFERENCES users (id),
    channel_client_id     TEXT    NULL REFERENCES api_clients (id),
    conversation_id       TEXT    NULL,
    description           TEXT    NOT NULL,
    claim_amount_fen      INTEGER NULL,
    claim_charged_on      TEXT    NULL,
    claim_charged_rate_bp INTEGER NULL,
    replacement_serial    TEXT     NULL,
    tracking_number       TEXT     NULL,
    agreed_fee_fen        INTEGER NOT NULL DEFAULT 0,
    outcome               TEXT    NULL,
    escalation_tier       INTEGER NOT NULL DEFAULT 0,
    linked_case_id        TEXT    NULL REFERENCES cases (id),
    version               INTEGER NOT NULL,
    opened_at             TEXT    NOT NULL,
    updated_at            TEXT    NOT NULL,
    resolved_at           TEXT    NULL,
    closed_at             TEXT    NULL,
    FOREIGN KEY (workflow_id, workflow_version) REFERENCES workflow_definitions (id, version)
);
CREATE INDEX ix_cases_queue ON cases (state_kind, updated_at, id);
CREATE INDEX ix_cases_assignee ON cases (assignee_id, state_kind, updated_at, id);
CREATE INDEX ix_cases_workflow_state ON cases (workflow_id, state, updated_at, id);
CREATE INDEX ix_cases_merchant ON cases (merchant_id, opened_at);
CREATE INDEX ix_cases_conversation ON cases (channel_client_id, conversation_id);

CREATE TABLE case_contracts (
    case_id                   TEXT    NOT NULL PRIMARY KEY REFERENCES cases (id),
    contract_id               TEXT    NOT NULL REFERENCES contracts (id),
    captured_at               TEXT    NOT NULL,
    fee_rate_bp               INTEGER NOT NULL,
    data_fee_clause           INTEGER NOT NULL,
    data_fee_amount_fen       INTEGER NOT NULL,
    data_fee_period_months    INTEGER NOT NULL,
    data_fee_free_days        INTEGER NOT NULL,
    data_fee_waiver_volume_fen INTEGER NULL,
    refund_window_days        INTEGER NOT NULL,
    fee_notice_clause         INTEGER NOT NULL,
    fee_notice_given          INTEGER NOT NULL,
    warranty_months           INTEGER NOT NULL,
    deposit_fen               INTEGER NOT NULL,
    deposit_paid              INTEGER NOT NULL,
    replacement_fee_fen       INTEGER NOT NULL,
    device_leased             INTEGER NOT NULL
);

-- The timeline: append-only, one contiguous sequence per case (the primary key refuses gaps' twins).
CREATE TABLE case_events (
    case_id     TEXT    NOT NULL REFERENCES cases (id),
    seq         INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    actor_id    TEXT    NULL,
    at          TEXT    NOT NULL,
    visibility  TEXT    NOT NULL CHECK (visibility IN ('merchant', 'internal')),
    data        TEXT    NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE case_messages (
    id                  TEXT NOT NULL PRIMARY KEY,
    case_id             TEXT NOT NULL REFERENCES cases (id),
    direction           TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    text                TEXT NOT NULL,
    channel_client_id   TEXT NULL,
    provider_message_id TEXT NULL,
    author_id           TEXT NULL,
    at                  TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_case_messages_provider ON case_messages (channel_client_id, provider_message_id);
CREATE INDEX ix_case_messages_case ON case_messages (case_id, at);

CREATE TABLE evidence_items (
    id           TEXT    NOT NULL PRIMARY KEY,
    case_id      TEXT    NOT NULL REFERENCES cases (id),
    type         TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('requested', 'received', 'accepted', 'rejected')),
    file_name    TEXT    NULL,
    media_type   TEXT    NULL,
    size_bytes   INTEGER NULL,
    sha256       TEXT    NULL,
    requested_at TEXT    NOT NULL,
    submitted_at TEXT    NULL,
    submitted_by TEXT    NULL,
    reviewer_id  TEXT    NULL,
    reviewed_at  TEXT    NULL,
    reason       TEXT    NULL
);
CREATE INDEX ix_evidence_case ON evidence_items (case_id, type);
CREATE UNIQUE INDEX ux_evidence_case_sha ON evidence_items (case_id, sha256);

CREATE TABLE offers (
    id             TEXT    NOT NULL PRIMARY KEY,
    case_id        TEXT    NOT NULL REFERENCES cases (id),
    kind           TEXT    NOT NULL,
    amount_fen     INTEGER NOT NULL,
    is_final       INTEGER NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('awaiting-approval', 'open', 'accepted', 'rejected', 'countered', 'expired', 'withdrawn', 'declined')),
    needs_approval INTEGER NOT NULL,
    approver_id    TEXT    NULL,
    proposed_by    TEXT    NOT NULL,
    proposed_at    TEXT    NOT NULL,
    expires_at     TEXT    NULL,
    answered_at    TEXT    NULL,
    counter_amount_fen INTEGER NULL
);
CREATE INDEX ix_offers_case ON offers (case_id, status);

CREATE TABLE follow_ups (
    id             TEXT    NOT NULL PRIMARY KEY,
    case_id        TEXT    NOT NULL REFERENCES cases (id),
    state          TEXT    NOT NULL,
    follow_up_key  TEXT    NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('remind', 'fire')),
    template       TEXT    NULL,
    trigger_name   TEXT    NULL,
    due_at         TEXT    NOT NULL,
    repeats_left   INTEGER NOT NULL,
    every_seconds  INTEGER NULL,
    status         TEXT    NOT NULL CHECK (status IN ('pending', 'done', 'cancelled')),
    attempt        INTEGER NOT NULL DEFAULT 0,
    job_id         TEXT    NULL,
    created_at     TEXT    NOT NULL
);
CREATE INDEX ix_follow_ups_due ON follow_ups (status, due_at);
CREATE INDEX ix_follow_ups_case ON follow_ups (case_id, status);

CREATE TABLE outbox_messages (
    id         TEXT NOT NULL PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    recipient  TEXT NOT NULL CHECK (recipient IN ('merchant', 'assignee', 'supervisors', 'finance')),
    template   TEXT NOT NULL,
    language   TEXT NOT NULL,
    body       TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    created_at TEXT NOT NULL,
    sent_at    TEXT NULL
);
CREATE INDEX ix_outbox_pending ON outbox_messages (status, created_at);

CREATE TABLE assignment_cursors (
    skill_group  TEXT NOT NULL PRIMARY KEY,
    last_user_id TEXT NULL
);
