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
