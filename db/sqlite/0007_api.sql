-- The REST API: client keys can be revoked and carry a webhook secret; Idempotency-Key responses are kept for replay.
-- Kept parallel to db/postgres/0007_api.sql.

ALTER TABLE api_clients ADD COLUMN webhook_secret TEXT NULL;
ALTER TABLE api_clients ADD COLUMN revoked_at TEXT NULL;

-- One row per (client, key): claimed 'in-flight' before the request runs, then 'done' with the response to replay.
CREATE TABLE idempotency_keys (
    client_id             TEXT    NOT NULL,
    idempotency_key       TEXT    NOT NULL,
    request_hash          TEXT    NOT NULL,
    status                TEXT    NOT NULL CHECK (status IN ('in-flight', 'done')),
    response_status       INTEGER NULL,
    response_content_type TEXT    NULL,
    response_location     TEXT    NULL,
    response_etag         TEXT    NULL,
    response_body         TEXT    NULL,
    created_at            TEXT    NOT NULL,
    completed_at          TEXT    NULL,
    PRIMARY KEY (client_id, idempotency_key)
);
CREATE INDEX ix_idempotency_keys_created ON idempotency_keys (created_at);

-- A case a channel opens on a conversation whose earlier case is resolved or closed continues it: linked here, not through
-- linked_case_id, which stays the data-fee case's link to the device case it opened.
ALTER TABLE cases ADD COLUMN previous_case_id TEXT NULL REFERENCES cases (id);

-- Webhooks. A chat channel's client may say what it is (wechat: free-form messages only within 48 h of the merchant's
-- last message). Deliveries come from the merchant-visible timeline (read up to webhook_cursors.last_seq per case), one
-- row per event and client, retried by the delivery job; every attempt is logged.
ALTER TABLE api_clients ADD COLUMN channel_kind TEXT NULL CHECK (channel_kind IN ('wechat', 'app', 'chatbot'));

CREATE TABLE webhook_cursors (
    case_id  TEXT NOT NULL PRIMARY KEY REFERENCES cases (id),
    last_seq INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              TEXT NOT NULL PRIMARY KEY,
    client_id       TEXT NOT NULL REFERENCES api_clients (id),
    case_id         TEXT NOT NULL REFERENCES cases (id),
    event_type      TEXT NOT NULL,
    source_key      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead', 'needs-template')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NULL,
    created_at      TEXT NOT NULL,
    delivered_at    TEXT NULL,
    UNIQUE (client_id, source_key)
);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);

CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempt     INTEGER NOT NULL,
    at          TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('delivered', 'failed', 'needs-template')),
    status_code INTEGER NULL,
    error       TEXT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
