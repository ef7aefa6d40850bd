// Small pieces every page uses: messages, time, status, copy, paging.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { ListResponse } from '../api';

export function Problem({ error }: { error: unknown }) {
  if (!error) return null;
  const text = error instanceof Error ? error.message : String(error);
  return (
    <p class="problem" role="alert">
      {text}
    </p>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <p class="notice" role="status">
      {children}
    </p>
  );
}

export function Loading({ when }: { when: boolean }) {
  return when ? (
    <p class="muted" aria-live="polite">
      Loading…
    </p>
  ) : null;
}

export function Time({ at }: { at: string | null | undefined }) {
  if (!at) return <span class="muted">never</span>;
  const d = new Date(at);
  return (
    <time dateTime={at} title={d.toISOString()}>
      {d.toLocaleString()}
    </time>
  );
}

const STATUS_NAMES: Record<number, string> = { 0: 'success', 1: 'pending', 2: 'fail', 3: 'sending', 4: 'canceled' };

export function Status({ status }: { status: number }) {
  const name = STATUS_NAMES[status] ?? String(status);
  return <span class={`status status-${name}`}>{name}</span>;
}

export function Copy({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Without clipboard access (plain http), select-and-copy by hand still works.
      return;
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <button type="button" class="small" onClick={copy} aria-label={`${label}: ${text}`}>
      {copied ? 'Copied' : label}
    </button>
  );
}

/**
 * Newer / older pages of a Svix list. `iterator` is the one the shown page was asked with: null is
 * the first page, so there is nothing newer (a Svix server answers a prevIterator even there);
 * one starting with "-" walked back, and then `done` says nothing newer is left.
 */
export function Pager<T>({ page, iterator, onPage }: { page: ListResponse<T> | undefined; iterator: string | null; onPage: (iterator: string | null) => void }) {
  if (!page) return null;
  const back = iterator?.startsWith('-') ?? false;
  const atStart = iterator === null || !page.prevIterator || (back && page.done);
  const atEnd = !page.iterator || (!back && page.done);
  // One page: nothing to move to, so no pager (two disabled pairs stacked read as a fault).
  if (atStart && atEnd) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={atStart} onClick={() => onPage(page.prevIterator)}>
        ← Newer / previous
      </button>
      <button type="button" disabled={atEnd} onClick={() => onPage(page.iterator)}>
        Next →
      </button>
    </nav>
  );
}

export function Json({ value, label }: { value: unknown; label: string }) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return (
    <pre class="code" aria-label={label} tabIndex={0}>
      {text}
    </pre>
  );
}

/** Splits "a, b c" into ['a','b','c']; empty means unset (null). */
export function listParse(text: string): string[] | null {
  const items = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length ? items : null;
}

/** Lines of "Name: value" into a record. */
export function headersParse(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** A datetime-local input's value as ISO, or undefined when empty. */
export function localToIso(value: string): string | undefined {
  return value ? new Date(value).toISOString() : undefined;
}

/** An ISO time as a datetime-local input's value (local time, minutes). */
export function isoToLocal(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
