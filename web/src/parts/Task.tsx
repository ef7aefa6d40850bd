// A long job (recover, replay) as Svix answers it: a background task that is running or finished.
// Running tasks are followed through /api/v1/background-task/{id} until they end.
import { useEffect, useState } from 'preact/hooks';
import { get, isMissing, seg } from '../api';
import type { TaskOut } from '../types';

const POLL_MS = 1000;
const POLL_MAX = 600; // 10 minutes, then the page stops asking

export function TaskProgress({ task }: { task: TaskOut | null }) {
  const [current, setCurrent] = useState(task);
  useEffect(() => {
    setCurrent(task);
    if (!task || task.status !== 'running') return;
    let stopped = false;
    let polls = 0;
    const poll = async () => {
      while (!stopped && polls++ < POLL_MAX) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        try {
          const next = await get<TaskOut>(`/api/v1/background-task/${seg(task.id)}`);
          if (stopped) return;
          setCurrent(next);
          if (next.status !== 'running') return;
        } catch (error) {
          if (isMissing(error)) return; // the server has no task route: its tasks end before answering
        }
      }
    };
    void poll();
    return () => {
      stopped = true;
    };
  }, [task]);
  if (!current) return null;
  const data = (current.data ?? {}) as Record<string, unknown>;
  const done = typeof data.done === 'number' ? data.done : typeof current.requeued === 'number' ? current.requeued : undefined;
  const total = typeof data.total === 'number' ? data.total : undefined;
  return (
    <div class="task" role="status" aria-live="polite">
      <span>
        {current.task}: <strong>{current.status}</strong>
        {done !== undefined && <> · {done} re-queued{total !== undefined && ` of ${total}`}</>}
      </span>
      {current.status === 'running' && <progress {...(total ? { max: total, value: done ?? 0 } : {})} aria-label="progress" />}
    </div>
  );
}
