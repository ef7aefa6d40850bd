-- Token scopes, and a fingerprint of the secret key (issue 11).
--
-- Tokens can now be managed through the API (/api/v1/token), which must not be open to every
-- token: an 'admin' token may also manage tokens, an 'api' token may use the rest of the API.
-- Existing tokens become 'api': they keep every power they had and gain none. Make an admin
-- token with `hookyard token create <name> --admin`.
--
-- The secret key that seals endpoint secrets is checked at start against a fingerprint (an
-- HMAC-SHA256 of a fixed label under the key; never the key), so a process given another key
-- is refused at once instead of failing on every secret it opens. One row; null until the first
-- start after this migration records it.
--
-- Locks: ALTER TABLE takes an ACCESS EXCLUSIVE lock on api_token, a table of a few rows, for
-- the moment it takes to add a column with a constant default (no rewrite).
alter table hookyard.api_token
  add column scope text not null default 'api' check (scope in ('admin', 'api'));

create table hookyard.secret_key (
  only_row     boolean primary key default true check (only_row),
  fingerprint  text not null,
  created_at   timestamptz not null default now(),
  rotated_at   timestamptz
);
