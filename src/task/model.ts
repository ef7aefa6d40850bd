/** Svix's BackgroundTaskType values that Hookyard runs. */
export type TaskType = 'endpoint.replay' | 'endpoint.recover';
export type TaskStatus = 'running' | 'finished' | 'failed';

/** A background task (Svix's BackgroundTaskOut, with where it stands). */
export interface Task {
  id: string;
  appId: string;
  endpointId: string;
  task: TaskType;
  status: TaskStatus;
  since: Date;
  until: Date | null;
  /** The last id a step handled (see migration 020). */
  cursor: string | null;
  /** What it did so far: `{queued}` deliveries put in the queue (and `error` if it failed). */
  data: { queued?: number; error?: string };
  createdAt: Date;
  updatedAt: Date;
}
