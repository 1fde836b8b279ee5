-- Dashboard sign-in: failed attempts in a row and the lock-out they lead to (Users/SignIn.cs).
-- Kept parallel to db/sqlite/0008_sign_in.sql.

ALTER TABLE users ADD COLUMN failed_sign_ins integer NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until timestamptz NULL;
