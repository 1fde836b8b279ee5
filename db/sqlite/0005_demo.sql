-- Marks a database that holds the demo data (DemoData.SeedAsync), so seeding twice is a no-op.
-- Kept parallel to db/postgres/0005_demo.sql.

CREATE TABLE demo_seeds (
    seed       INTEGER NOT NULL PRIMARY KEY,
    seeded_at  TEXT    NOT NULL,
    merchants  INTEGER NOT NULL,
    cases      INTEGER NOT NULL
);
