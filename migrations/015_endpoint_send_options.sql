-- How an endpoint's requests are made beyond Standard Webhooks' defaults (issue 13): signature
-- format (GitHub, Stripe, plain), header names, form bodies, TLS verification off or a custom CA.
-- One jsonb column holding only what differs from the defaults (src/endpoint/send-options.ts), so
-- every existing endpoint is `{}` and keeps sending exactly as before, the claim reads one more
-- column, and a later setting of this kind needs no migration. A constant default: adding it
-- rewrites nothing and takes only a brief lock on hookyard.endpoint.
alter table hookyard.endpoint add column send_options jsonb not null default '{}';
