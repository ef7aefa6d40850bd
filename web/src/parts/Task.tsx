// A long job (recover, replay) as Svix answers it: a background task that is running or finished.
// A running task's progress arrives live (the event stream's `task` events, which the app portal
// gets too); while the stream is down, the page asks /api/v1/background-task/{id} instead.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { get, isMissing, seg } from '../api';
import { useLive } from '../live';
import type { TaskOut } from '../types';

const POLL_MS = 1000;

export function TaskProgress({ task }: { task: TaskOut | null }) {
  const [current, setCurrent] = useState(task);
  const [pollable, setPollable] = useState(true);
  useEffect(() => setCurrent(task), [task]);
  const id = current?.id;
  const running = current?.status === 'running';
  const refresh = useCallback(async () => {
    if (!id) return;
    try {
      setCurrent(await get<TaskOut>(`/api/v1/background-task/${seg(id)}`));
    } catch (error) {
      // No task route on this server (its tasks end before answering), or one this token may not read (the portal's).
      if (isMissing(error) || (error as { status?: number }).status === 403) setPollable(false);
    }
  }, [id]);
  const live = useLive((e) => {
    if (!running || !id) return;
    if (e.type === 'reload') return void (pollable && refresh());
    if (e.type !== 'task') return;
    const item = e.items.find((i) => i.id === id);
    if (!item) return;
    setCurrent((c) => c && {
      ...c,
      status: item.status as TaskOut['status'],
      data: { ...((c.data as Record<string, unknown> | undefined) ?? {}), queued: item.queued, ...(item.error ? { error: item.error } : {}) },
    });
  });
  useEffect(() => {
    if (live || !running || !pollable || (globalThis as { hookyardPolling?: boolean }).hookyardPolling === false) return;
    const timer = setInterval(() => void refresh(), POLL_MS);
    return () => clearInterval(timer);
  }, [live, running, pollable, refresh]);
  if (!current) return null;
  const data = (current.data ?? {}) as Record<string, unknown>;
  const done = typeof data.done === 'number' ? data.done : typeof data.queued === 'number' ? data.queued : typeof current.requeued === 'number' ? current.requeued : undefined;
  const total = typeof data.total === 'number' ? data.total : undefined;
  return (
    <div class="task" role="status" aria-live="polite">
      <span>
        {current.task}: <strong>{current.status}</strong>
        {done !== undefined && <> · {done} re-queued{total !== undefined && ` of ${total}`}</>}
        {typeof data.error === 'string' && <> · {data.error}</>}
      </span>
      {current.status === 'running' && <progress {...(total ? { max: total, value: done ?? 0 } : {})} aria-label="progress" />}
    </div>
  );
}
