-- Evidence, notes and messages (issue 3). Kept parallel to db/sqlite/0002_evidence.sql.
-- Evidence bytes are files under <DataDirectory>/evidence/<first 2 hex>/<sha256>, not rows; evidence_items holds their metadata.

-- Messages queued for a case (rejections, agents' replies), read per case by the case page.
CREATE INDEX ix_outbox_case ON outbox_messages (case_id, created_at);
