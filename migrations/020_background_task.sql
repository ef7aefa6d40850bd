-- Background tasks (Svix's BackgroundTaskOut): replay-missing and recover run in steps, each step one
-- transaction that advances `cursor`, so a large range never holds one long transaction and a task
-- left by a process that died is picked up again where its last step committed (see
-- src/task/runner.ts). Small and rarely written: no foreign keys; an application's deletion leaves
-- its finished tasks to be read, and a running one finds nothing more to do.
create table hookyard.background_task (
  id           text collate "C" primary key,
  app_id       text not null,
  endpoint_id  text not null,
  task         text not null,
  status       text not null default 'running',
  since        timestamptz not null,
  until        timestamptz,
  -- The last message id (replay) or delivery id (recover) a step handled.
  cursor       text,
  data         jsonb not null default '{}',
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now()
);
