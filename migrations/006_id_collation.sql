-- Ids compare byte by byte ("C" collation).
-- Ids are fixed-width base62 over an ascending ASCII alphabet, so they sort by creation time only
-- in byte order. Under a database's linguistic default (en_US, ICU "en-US"), 'B' sorts after 'a',
-- and comparisons on ids go wrong: retention deletes `id < boundary`, and list pages continue from
-- `id < cursor`. Byte order is also the cheaper comparison for every index on these columns.
-- Uids, names and other user text keep the database's collation.
alter table hookyard.application
  alter column id type text collate "C",
  alter column parent_id type text collate "C";
alter table hookyard.endpoint
  alter column id type text collate "C",
  alter column app_id type text collate "C";
alter table hookyard.endpoint_secret alter column endpoint_id type text collate "C";
alter table hookyard.message
  alter column id type text collate "C",
  alter column app_id type text collate "C";
alter table hookyard.delivery
  alter column message_id type text collate "C",
  alter column endpoint_id type text collate "C";
alter table hookyard.attempt
  alter column id type text collate "C",
  alter column message_id type text collate "C",
  alter column endpoint_id type text collate "C";
alter table hookyard.api_token alter column id type text collate "C";
alter table hookyard.idempotency_key alter column token_id type text collate "C";
