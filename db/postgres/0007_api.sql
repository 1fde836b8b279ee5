-- The REST API: client keys can be revoked and carry a webhook secret; Idempotency-Key responses are kept for replay.
-- Kept parallel to db/sqlite/0007_api.sql.

ALTER TABLE api_clients ADD COLUMN webhook_secret text NULL;
ALTER TABLE api_clients ADD COLUMN revoked_at timestamptz NULL;

-- One row per (client, key): claimed 'in-flight' before the request runs, then 'done' with the response to replay.
CREATE TABLE idempotency_keys (
    client_id             uuid        NOT NULL,
    idempotency_key       text        NOT NULL,
    request_hash          text        NOT NULL,
    status                text        NOT NULL CHECK (status IN ('in-flight', 'done')),
    response_status       integer     NULL,
    response_content_type text        NULL,
    response_location     text        NULL,
    response_etag         text        NULL,
    response_body         text        NULL,
    created_at            timestamptz NOT NULL,
    completed_at          timestamptz NULL,
    PRIMARY KEY (client_id, idempotency_key)
);
CREATE INDEX ix_idempotency_keys_created ON idempotency_keys (created_at);

-- A case a channel opens on a conversation whose earlier case is resolved or closed continues it: linked here, not through
-- linked_case_id, which stays the data-fee case's link to the device case it opened.
ALTER TABLE cases ADD COLUMN previous_case_id uuid NULL REFERENCES cases (id);
