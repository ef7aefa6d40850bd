-- Message content that can be removed before the message is (issue 13, Svix's expunge routes and
-- `payloadRetentionPeriod`).
--
-- A message's payload may be deleted while the message stays listed: by `DELETE …/msg/{id}/content`,
-- or when the retention the publisher asked for (`payloadRetentionPeriod` days or
-- `payloadRetentionHours`) runs out. A null payload is that state; reads show Svix's
-- `{"expired": true}`. Dropping NOT NULL changes only the catalogue: no rewrite, a brief lock.
alter table hookyard.message alter column payload drop not null;

-- When a message's payload is to be removed, for the messages whose publisher asked for a shorter
-- retention than the server-wide one. A table of its own rather than a column of hookyard.message:
-- the publish statement (`hookyard.message_publish`) stays as it is, and a row here is written by
-- the same statement that calls it (see messagePublish in src/message/sql.ts), so a message and
-- its expiry commit together. No foreign key, as for deliveries (migration 005): a row whose
-- message was deleted meanwhile is removed by the cleaner when it comes due, having nothing to do.
-- The cleaner walks payload_expiry_due in order, a batch at a time.
create table hookyard.payload_expiry (
  message_id  text collate "C" primary key,
  expires_at  timestamptz not null
);
create index payload_expiry_due on hookyard.payload_expiry (expires_at);
