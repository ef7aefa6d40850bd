-- `hookyard.inbound_source_version` is stable, not immutable: extract() from a timestamptz is a
-- stable function in PostgreSQL. Declared immutable over a stable body, it could not be inlined,
-- so `hookyard.inbound_record` ran it as a function call per received request (about 9 µs of the
-- database's time each, issue 12's benchmark); as stable it is inlined into the statements that
-- use it. It is used in no index, so nothing else changes.
alter function hookyard.inbound_source_version(timestamptz) stable;
