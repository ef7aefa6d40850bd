-- Attempts are written at the delivery rate, so every per-row cost of an
-- attempt insert counts. The foreign key to delivery cost a trigger call and a
-- row lock on the delivery per attempt, and its index was never read: attempts
-- are looked up by message and by endpoint. Both go; attempts still leave with
-- their delivery, through one statement-level trigger that covers every way a
-- delivery is deleted (retention, endpoint or application deletion).
alter table hookyard.attempt drop constraint attempt_delivery_id_fkey;
drop index hookyard.attempt_delivery;

create function hookyard.attempt_delete_with_delivery() returns trigger
language plpgsql as $$
begin
  delete from hookyard.attempt a
   using gone g
   where a.message_id = g.message_id and a.endpoint_id = g.endpoint_id;
  return null;
end
$$;

create trigger delivery_attempts_delete
  after delete on hookyard.delivery
  referencing old table as gone
  for each statement execute function hookyard.attempt_delete_with_delivery();
