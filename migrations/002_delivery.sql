-- Delivery engine.
-- A resend or recover queues a manual attempt: `trigger` is copied onto the
-- attempt it causes; `one_shot` means "do not retry after it" (the delivery
-- had already finished, so the retry schedule is not restarted).
alter table hookyard.delivery add column trigger text not null default 'scheduled';
alter table hookyard.delivery add column one_shot boolean not null default false;

-- recover: the unsuccessful deliveries of one endpoint in a time range.
create index delivery_endpoint_unsuccessful on hookyard.delivery (endpoint_id, created_at) where state in ('failed', 'cancelled');
