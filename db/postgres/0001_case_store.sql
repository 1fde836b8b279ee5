-- PosSupport case store, PostgreSQL dialect. Kept parallel to db/sqlite/0001_case_store.sql.
-- Ids are uuid; instants timestamptz (UTC); dates date; money in fen (bigint); rates in bp.

CREATE TABLE workflow_definitions (
    id            text    NOT NULL,
    version       integer  NOT NULL,
    sha256        text    NOT NULL,
    json          text    NOT NULL,
    registered_at timestamptz NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE users (
    id            uuid    NOT NULL PRIMARY KEY,
    login         text    NOT NULL UNIQUE,
    display_name  text    NOT NULL,
    role          text    NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
    skill_group   text    NULL CHECK (skill_group IN ('device', 'billing')),
    away          boolean NOT NULL DEFAULT FALSE,
    password_hash text    NULL,
    created_at    timestamptz NOT NULL
);

CREATE TABLE api_clients (
    id          uuid NOT NULL PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    role        text NOT NULL CHECK (role IN ('channel', 'agent', 'supervisor', 'admin')),
    key_hash    text NOT NULL UNIQUE,
    webhook_url text NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE merchants (
    id                      uuid    NOT NULL PRIMARY KEY,
    name                    text    NOT NULL,
    licence_number          text    NOT NULL UNIQUE,
    mcc                     text    NOT NULL,
    category                text    NOT NULL,
    phone                   text    NOT NULL,
    preferred_language      text    NOT NULL DEFAULT 'zh-CN',
    trailing_year_volume_fen bigint  NOT NULL DEFAULT 0,
    created_at              timestamptz NOT NULL
);

CREATE TABLE devices (
    id              uuid    NOT NULL PRIMARY KEY,
    serial_number   text    NOT NULL UNIQUE,
    model           text    NOT NULL CHECK (model IN ('countertop', 'smart', 'e-signature', 'phone')),
    status          text    NOT NULL CHECK (status IN ('in-stock', 'active', 'faulty', 'returned', 'retired')),
    activated_on    date    NULL,
    merchant_id     uuid    NULL REFERENCES merchants (id),
    physical_damage boolean NOT NULL DEFAULT FALSE
);
CREATE INDEX ix_devices_merchant ON devices (merchant_id);

CREATE TABLE contracts (
    id                        uuid    NOT NULL PRIMARY KEY,
    merchant_id               uuid    NOT NULL UNIQUE REFERENCES merchants (id),
    signed_on                 date    NOT NULL,
    fee_rate_bp               integer NOT NULL,
    data_fee_clause           boolean NOT NULL,
    data_fee_amount_fen       bigint  NOT NULL DEFAULT 0,
    data_fee_period_months    integer NOT NULL DEFAULT 12,
    data_fee_free_days        integer NOT NULL DEFAULT 0,
    data_fee_waiver_volume_fen bigint  NULL,
    refund_window_days        integer NOT NULL DEFAULT 0,
    fee_notice_clause         boolean NOT NULL DEFAULT FALSE,
    fee_notice_given          boolean NOT NULL DEFAULT FALSE,
    warranty_months           integer NOT NULL,
    deposit_fen               bigint  NOT NULL DEFAULT 0,
    deposit_paid              boolean NOT NULL DEFAULT FALSE,
    replacement_fee_fen       bigint  NOT NULL,
    device_leased             boolean NOT NULL DEFAULT TRUE
);

CREATE TABLE case_number_counters (
    prefix text    NOT NULL,
    year   integer NOT NULL,
    last   bigint  NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE cases (
    id                    uuid    NOT NULL PRIMARY KEY,
    number                text    NOT NULL UNIQUE,
    workflow_id           text    NOT NULL,
    workflow_version      integer NOT NULL,
    state                 text    NOT NULL,
    state_kind            text    NOT NULL,
    priority              text    NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    merchant_id           uuid    NOT NULL REFERENCES merchants (id),
    device_id             uuid    NULL REFERENCES devices (id),
    assignee_id           uuid    NULL REFERENCES users (id),
    channel_client_id     uuid    NULL REFERENCES api_clients (id),
    conversation_id       text    NULL,
    description           text    NOT NULL,
    claim_amount_fen      bigint  NULL,
    claim_charged_on      date    NULL,
    claim_charged_rate_bp integer NULL,
    replacement_serial    text     NULL,
    tracking_number       text     NULL,
    agreed_fee_fen        bigint  NOT NULL DEFAULT 0,
    outcome               text    NULL,
    escalation_tier       integer NOT NULL DEFAULT 0,
    linked_case_id        uuid    NULL REFERENCES cases (id),
    version               bigint  NOT NULL,
    opened_at             timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    resolved_at           timestamptz NULL,
    closed_at             timestamptz NULL,
    FOREIGN KEY (workflow_id, workflow_version) REFERENCES workflow_definitions (id, version)
);
CREATE INDEX ix_cases_queue ON cases (state_kind, updated_at, id);
CREATE INDEX ix_cases_assignee ON cases (assignee_id, state_kind, updated_at, id);
CREATE INDEX ix_cases_workflow_state ON cases (workflow_id, state, updated_at, id);
CREATE INDEX ix_cases_merchant ON cases (merchant_id, opened_at);
CREATE INDEX ix_cases_conversation ON cases (channel_client_id, conversation_id);

CREATE TABLE case_contracts (
    case_id                   uuid    NOT NULL PRIMARY KEY REFERENCES cases (id),
    contract_id               uuid    NOT NULL REFERENCES contracts (id),
    captured_at               timestamptz NOT NULL,
    fee_rate_bp               integer NOT NULL,
    data_fee_clause           boolean NOT NULL,
    data_fee_amount_fen       bigint  NOT NULL,
    data_fee_period_months    integer NOT NULL,
    data_fee_free_days        integer NOT NULL,
    data_fee_waiver_volume_fen bigint  NULL,
    refund_window_days        integer NOT NULL,
    fee_notice_clause         boolean NOT NULL,
    fee_notice_given          boolean NOT NULL,
    warranty_months           integer NOT NULL,
    deposit_fen               bigint  NOT NULL,
    deposit_paid              boolean NOT NULL,
    replacement_fee_fen       bigint  NOT NULL,
    device_leased             boolean NOT NULL
);

-- The timeline: append-only, one contiguous sequence per case (the primary key refuses gaps' twins).
CREATE TABLE case_events (
    case_id     uuid    NOT NULL REFERENCES cases (id),
    seq         bigint  NOT NULL,
    kind        text    NOT NULL,
    actor       text    NOT NULL,
    actor_id    text    NULL,
    at          timestamptz NOT NULL,
    visibility  text    NOT NULL CHECK (visibility IN ('merchant', 'internal')),
    data        text    NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE case_messages (
    id                  uuid NOT NULL PRIMARY KEY,
    case_id             uuid NOT NULL REFERENCES cases (id),
    direction           text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    text                text NOT NULL,
    channel_client_id   uuid NULL,
    provider_message_id text NULL,
    author_id           text NULL,
    at                  timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_case_messages_provider ON case_messages (channel_client_id, provider_message_id);
CREATE INDEX ix_case_messages_case ON case_messages (case_id, at);

CREATE TABLE evidence_items (
    id           uuid    NOT NULL PRIMARY KEY,
    case_id      uuid    NOT NULL REFERENCES cases (id),
    type         text    NOT NULL,
    status       text    NOT NULL CHECK (status IN ('requested', 'received', 'accepted', 'rejected')),
    file_name    text    NULL,
    media_type   text    NULL,
    size_bytes   bigint  NULL,
    sha256       text    NULL,
    requested_at timestamptz NOT NULL,
    submitted_at timestamptz NULL,
    submitted_by text    NULL,
    reviewer_id  text    NULL,
    reviewed_at  timestamptz NULL,
    reason       text    NULL
);
CREATE INDEX ix_evidence_case ON evidence_items (case_id, type);
CREATE UNIQUE INDEX ux_evidence_case_sha ON evidence_items (case_id, sha256);

CREATE TABLE offers (
    id             uuid    NOT NULL PRIMARY KEY,
    case_id        uuid    NOT NULL REFERENCES cases (id),
    kind           text    NOT NULL,
    amount_fen     bigint  NOT NULL,
    is_final       boolean NOT NULL,
    status         text    NOT NULL CHECK (status IN ('awaiting-approval', 'open', 'accepted', 'rejected', 'countered', 'expired', 'withdrawn', 'declined')),
    needs_approval boolean NOT NULL,
    approver_id    text    NULL,
    proposed_by    text    NOT NULL,
    proposed_at    timestamptz NOT NULL,
    expires_at     timestamptz NULL,
    answered_at    timestamptz NULL,
    counter_amount_fen bigint  NULL
);
CREATE INDEX ix_offers_case ON offers (case_id, status);

CREATE TABLE follow_ups (
    id             uuid    NOT NULL PRIMARY KEY,
    case_id        uuid    NOT NULL REFERENCES cases (id),
    state          text    NOT NULL,
    follow_up_key  text    NOT NULL,
    kind           text    NOT NULL CHECK (kind IN ('remind', 'fire')),
    template       text    NULL,
    trigger_name   text    NULL,
    due_at         timestamptz NOT NULL,
    repeats_left   integer NOT NULL,
    every_seconds  bigint  NULL,
    status         text    NOT NULL CHECK (status IN ('pending', 'done', 'cancelled')),
    attempt        integer NOT NULL DEFAULT 0,
    job_id         text    NULL,
    created_at     timestamptz NOT NULL
);
CREATE INDEX ix_follow_ups_due ON follow_ups (status, due_at);
CREATE INDEX ix_follow_ups_case ON follow_ups (case_id, status);

CREATE TABLE outbox_messages (
    id         uuid NOT NULL PRIMARY KEY,
    case_id    uuid NOT NULL REFERENCES cases (id),
    recipient  text NOT NULL CHECK (recipient IN ('merchant', 'assignee', 'supervisors', 'finance')),
    template   text NOT NULL,
    language   text NOT NULL,
    body       text NOT NULL,
    status     text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    created_at timestamptz NOT NULL,
    sent_at    timestamptz NULL
);
CREATE INDEX ix_outbox_pending ON outbox_messages (status, created_at);

CREATE TABLE assignment_cursors (
    skill_group  text NOT NULL PRIMARY KEY,
    last_user_id uuid NULL
);
