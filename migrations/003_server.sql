-- The server: API tokens and idempotency keys.

-- Only a SHA-256 hash of each token is kept; `prefix` is the first characters,
-- enough for a person to tell tokens apart in a list, not to use one.
create table hookyard.api_token (
  id          text primary key,
  name        text not null,
  prefix      text not null,
  hash        text not null unique,
  created_at  timestamptz not null default now(),
  revoked_at  timestamptz
);

-- The first response to a POST carrying an Idempotency-Key, replayed to a
-- repeat of it. A row with a null status is a request still in progress.
create table hookyard.idempotency_key (
  token_id     text not null,
  key          text not null,
  fingerprint  text not null,
  status       integer,
  body         text,
  created_at   timestamptz not null default now(),
  primary key (token_id, key)
);
create index idempotency_key_created on hookyard.idempotency_key (created_at);
