-- Administration (dashboard admin pages): a user can be disabled (never deleted: cases point at users) and the last
-- successful sign-in is kept for the users list (Users/*.cs).
-- Kept parallel to db/sqlite/0009_admin.sql.

ALTER TABLE users ADD COLUMN disabled_at timestamptz NULL;
ALTER TABLE users ADD COLUMN last_sign_in_at timestamptz NULL;
