-- Foundation: applications, event types, endpoints and their secrets,
-- messages, deliveries (message x endpoint) and attempts (one per HTTP try).
-- Ids are prefixed and time-sortable (see src/ids), so "order by id" is creation order.

create table hookyard.application (
  id          text primary key,
  uid         text unique,
  name        text not null,
  metadata    jsonb not null default '{}',
  rate_limit  integer,
  -- A message published to an application also fans out to its ancestors' endpoints.
  parent_id   text references hookyard.application (id) on delete set null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);
create index application_parent on hookyard.application (parent_id) where parent_id is not null;

create table hookyard.event_type (
  name          text primary key,
  description   text not null default '',
  -- Svix shape: {"<version>": <JSON Schema>}; the highest version validates payloads.
  schemas       jsonb,
  archived      boolean not null default false,
  deprecated    boolean not null default false,
  feature_flag  text,
  group_name    text,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);

create table hookyard.endpoint (
  id               text primary key,
  app_id           text not null references hookyard.application (id) on delete cascade,
  uid              text,
  url              text not null,
  description      text not null default '',
  version          integer not null default 1,
  -- null = every event type / every channel
  filter_types     text[],
  channels         text[],
  disabled         boolean not null default false,
  disabled_reason  text,
  rate_limit       integer,
  metadata         jsonb not null default '{}',
  headers          jsonb not null default '{}',
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  unique (app_id, uid)
);
create index endpoint_app on hookyard.endpoint (app_id, id);

-- Signing secrets, sealed with ChaCha20-Poly1305 (nonce || ciphertext || tag).
-- expires_at is null for the current secret; a rotated-out secret keeps
-- co-signing until it expires.
create table hookyard.endpoint_secret (
  id           bigint generated always as identity primary key,
  endpoint_id  text not null references hookyard.endpoint (id) on delete cascade,
  sealed       bytea not null,
  created_at   timestamptz not null default now(),
  expires_at   timestamptz
);
create index endpoint_secret_endpoint on hookyard.endpoint_secret (endpoint_id, id desc);

create table hookyard.message (
  id          text primary key,
  app_id      text not null references hookyard.application (id) on delete cascade,
  event_type  text not null,
  event_id    text,
  -- The exact JSON text that is signed and sent; kept as text so it is never re-serialised.
  payload     text not null,
  channels    text[],
  tags        text[],
  created_at  timestamptz not null default now()
);
create unique index message_app_event_id on hookyard.message (app_id, event_id) where event_id is not null;
create index message_app on hookyard.message (app_id, id);

create type hookyard.delivery_state as enum ('pending', 'sending', 'succeeded', 'failed', 'cancelled');

create table hookyard.delivery (
  id               bigint generated always as identity primary key,
  message_id       text not null references hookyard.message (id) on delete cascade,
  endpoint_id      text not null references hookyard.endpoint (id) on delete cascade,
  state            hookyard.delivery_state not null default 'pending',
  attempt_count    integer not null default 0,
  -- pending: when the next try is due; sending: when the worker's lease runs out.
  next_attempt_at  timestamptz not null default now(),
  last_attempt_at  timestamptz,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  unique (message_id, endpoint_id)
);
-- The claim query scans only live rows, oldest due first.
create index delivery_due on hookyard.delivery (next_attempt_at) where state in ('pending', 'sending');
create index delivery_endpoint on hookyard.delivery (endpoint_id, id);

create table hookyard.attempt (
  id                  text primary key,
  delivery_id         bigint not null references hookyard.delivery (id) on delete cascade,
  message_id          text not null,
  endpoint_id         text not null,
  attempt_number      integer not null,
  trigger             text not null default 'scheduled',
  url                 text not null,
  request_headers     jsonb not null default '{}',
  -- null when there was no response (see error_code)
  response_status     integer,
  response_headers    jsonb,
  response_body       text,
  response_truncated  boolean not null default false,
  -- dns | refused | reset | timeout | tls | blocked | other, when there was no response
  error_code          text,
  error_message       text,
  succeeded           boolean not null,
  duration_ms         integer not null,
  created_at          timestamptz not null default now()
);
create index attempt_message on hookyard.attempt (message_id, id);
create index attempt_endpoint on hookyard.attempt (endpoint_id, id);
create index attempt_delivery on hookyard.attempt (delivery_id, id);
