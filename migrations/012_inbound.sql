-- Receiving webhooks (issue 12): sources, and the log of every request they received.
--
-- A source is Svix's Ingest source: a `type` with its `config`, and a secret receiving URL. Each
-- source owns a hidden application (`application.source_id`): its endpoints are the source's
-- ingest endpoints, and an accepted request is published to it as an ordinary message, so
-- delivery, signing, retries and attempts are the engine's own. Hidden applications are left out
-- of application lists; they are still reachable by id (attempts of ingest endpoints).
--
-- The receiving key is never stored in clear: `token_hash` (hex SHA-256, text so that the
-- secret-key rotation's check of bytea columns lists only sealed values) finds the source, and
-- `token_sealed` keeps the key so the URL can be shown again. The config's secret fields (a
-- GitHub secret, a Stripe signing secret) are sealed together as one JSON object in
-- `config_sealed`; `config` keeps the rest. Both sealed columns bind the source id.
create table hookyard.inbound_source (
  id              text collate "C" primary key,
  uid             text collate "C" unique,
  name            text not null,
  type            text not null,
  config          jsonb not null default '{}',
  config_sealed   bytea,
  token_hash      text collate "C" not null unique,
  token_sealed    bytea not null,
  app_id          text collate "C" not null,
  disabled        boolean not null default false,
  -- Hookyard extensions; null means the server-wide default.
  max_body_bytes  integer,
  rate_limit      integer,      -- requests per minute for this source's key
  allow_cidrs     text[],       -- null: any address
  mapping         json,         -- JSONPath field map; null: pass-through (json, not jsonb: the map's field order is the output's)
  metadata        jsonb not null default '{}',
  -- Statistics, added to by the statement that records accepted requests (one update per group).
  events_received bigint not null default 0,
  last_event_at   timestamptz,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);

alter table hookyard.application add column source_id text collate "C";
create index application_source on hookyard.application (source_id) where source_id is not null;

-- One row per request received, accepted or not; rejected floods beyond a rate per source are
-- folded into one row per (source, outcome, reason) and interval with `count` > 1, so bad requests
-- cannot fill the disk. An accepted request's row is its event's metadata (client address, user
-- agent, selected headers, received-at), written in the same statement as its message, and
-- `content_type` is the type a non-JSON body is forwarded with (null: application/json).
-- `source_id` is null for requests to keys that match no source.
create table hookyard.inbound_request (
  id            text collate "C" primary key,
  source_id     text collate "C",
  received_at   timestamptz not null,
  outcome       text not null,   -- accepted | duplicate | handshake | rejected
  reason        text,
  status        integer not null,
  client_ip     text,
  user_agent    text,
  headers       jsonb not null default '{}',
  size          integer not null default 0,
  duration_ms   real not null default 0,
  count         integer not null default 1,
  message_id    text collate "C",
  event_type    text,
  content_type  text
);
-- The log is read per source, newest first, by id (ids sort by time).
create index inbound_request_source on hookyard.inbound_request (source_id, id);
-- The worker looks up the content type of the message it sends.
create index inbound_request_message on hookyard.inbound_request (message_id) where message_id is not null;
