-- The console and the app portal (issue 14): portal tokens, browser sessions, per-minute rollups.
--
-- App portal tokens are API tokens of a third scope, 'app': bound to one application
-- (`app_id`), with Svix's capabilities, an expiry and Svix's optional `session_id` (for
-- expire-all). They live in api_token so that one authenticator, one hash lookup and one revoke
-- path serve every token. `last_used_at` is written by the rollup flush (every few seconds), not
-- per request.
--
-- console_session: a browser's sign-in. Only the SHA-256 of the cookie's random id is stored;
-- the session dies with its token (revoked or expired) and at `expires_at`.
--
-- rollup_minute: counters per minute, added to as work happens by each process's in-memory
-- accumulator (one upsert per flush), so the dashboard reads a few thousand rows rather than
-- scanning attempts. Latency histograms are counters too (metric 'delivery.latency', key = bucket).
--
-- Locks: the api_token changes take an ACCESS EXCLUSIVE lock on a table of a few rows, briefly
-- (nullable columns, no rewrite; the check constraint is validated over those few rows).
alter table hookyard.api_token drop constraint api_token_scope_check;
alter table hookyard.api_token
  add constraint api_token_scope_check check (scope in ('admin', 'api', 'app')),
  add column app_id text collate "C",
  add column capabilities text[],
  add column expires_at timestamptz,
  add column session_id text,
  add column last_used_at timestamptz,
  add constraint api_token_app_scope check ((scope = 'app') = (app_id is not null));

create index api_token_app on hookyard.api_token (app_id) where app_id is not null;

create table hookyard.console_session (
  id_hash      text collate "C" primary key,
  token_id     text collate "C" not null,
  created_at   timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at   timestamptz not null
);

create index console_session_expires on hookyard.console_session (expires_at);

create table hookyard.rollup_minute (
  minute timestamptz not null,
  metric text collate "C" not null,
  key    text collate "C" not null default '',
  value  bigint not null,
  primary key (minute, metric, key)
);
