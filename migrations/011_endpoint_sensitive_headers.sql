-- Header names an endpoint's owner marked sensitive, lowercased (issue 11). Their values are never
-- returned by GET …/headers (Svix lists them under `sensitive` instead) and are stored as
-- `[redacted]` in attempts, like the names the built-in rule recognises (Authorization, Cookie,
-- API-key style names). A plain column with a constant default: adding it rewrites nothing and
-- takes only a brief lock on hookyard.endpoint.
alter table hookyard.endpoint add column sensitive_headers text[] not null default '{}';
