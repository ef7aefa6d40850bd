-- Deliveries are inserted at the fan-out rate, and each foreign key cost a
-- trigger call and a KEY SHARE row lock per delivery (on the message and on
-- the endpoint, so every concurrent publish to an endpoint shared a lock on
-- its row). Fan-out reads both rows in the same statement, so the keys hold by
-- construction. What the keys also did, deleting deliveries with their message
-- or endpoint, is done by statement-level triggers, one statement per delete.
alter table hookyard.delivery drop constraint delivery_message_id_fkey;
alter table hookyard.delivery drop constraint delivery_endpoint_id_fkey;

create function hookyard.delivery_delete_with_message() returns trigger
language plpgsql as $$
begin
  delete from hookyard.delivery d using gone g where d.message_id = g.id;
  return null;
end
$$;

create trigger message_deliveries_delete
  after delete on hookyard.message
  referencing old table as gone
  for each statement execute function hookyard.delivery_delete_with_message();

create function hookyard.delivery_delete_with_endpoint() returns trigger
language plpgsql as $$
begin
  delete from hookyard.delivery d using gone g where d.endpoint_id = g.id;
  return null;
end
$$;

create trigger endpoint_deliveries_delete
  after delete on hookyard.endpoint
  referencing old table as gone
  for each statement execute function hookyard.delivery_delete_with_endpoint();
