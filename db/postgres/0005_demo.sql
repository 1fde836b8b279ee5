-- Marks a database that holds the demo data (DemoData.SeedAsync), so seeding twice is a no-op.
-- Kept parallel to db/sqlite/0005_demo.sql.

CREATE TABLE demo_seeds (
    seed       integer     NOT NULL PRIMARY KEY,
    seeded_at  timestamptz NOT NULL,
    merchants  integer     NOT NULL,
    cases      integer     NOT NULL
);
