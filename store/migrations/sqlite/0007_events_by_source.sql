-- On PostgreSQL, events are stored a table per source from this version
-- (migrations/postgres/0007_events_by_source.sql). SQLite keeps one
-- table; the version is recorded so that both engines count alike.
SELECT 1;
