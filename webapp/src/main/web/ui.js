// Shared pieces of every page: the template tag, data loading with polling, formatting, and small components.
import { h } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { get } from './api.js';

export const html = htm.bind(h);

const ROLES = ['viewer', 'developer', 'deployer', 'admin'];

/** Whether a user's role includes `role` (each role may do all that the ones before it may). */
export const hasRole = (user, role) => ROLES.indexOf(user.role) >= ROLES.indexOf(role);

/**
 * Loads `path` (a string, or null to wait) and reloads it every `pollMs` while the page shows it. A failed reload
 * keeps the last data and shows the error beside it, so a blip does not blank the page.
 */
export function useApi(path, pollMs = 0) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const alive = useRef(true);
  const load = useCallback(async () => {
    if (!path) return;
    try {
      const data = await get(path);
      if (alive.current) setState({ data, error: null, loading: false });
    } catch (error) {
      if (alive.current) setState((s) => ({ data: s.data, error, loading: false }));
    }
  }, [path]);
  // a layout effect starts the request right after the render, not after the next paint as useEffect would; only a
  // new path clears what was shown, a new polling interval (e.g. none once a build ended) keeps it
  useLayoutEffect(() => {
    alive.current = true;
    setState({ data: null, error: null, loading: true });
    load();
    return () => {
      alive.current = false;
    };
  }, [load]);
  useEffect(() => {
    const timer = pollMs ? setInterval(load, pollMs) : null;
    return () => {
      if (timer) clearInterval(timer);
    };
  }, [load, pollMs]);
  return { ...state, reload: load };
}

/** Marks the moment a page first shows its data (scripts/bench-ui reads it: the first meaningful paint). */
export function useMeaningfulPaint(ready, name) {
  const marked = useRef(false);
  useLayoutEffect(() => {
    if (ready && !marked.current) {
      marked.current = true;
      // after the frame that shows the data is painted: the timeout runs once the animation frame's paint is done
      requestAnimationFrame(() => setTimeout(() => performance.mark('gantry:meaningful:' + name)));
    }
  }, [ready]);
}

export function ErrorBox({ error }) {
  if (!error) return null;
  return html`<p class="error" role="alert">${error.message}${error.code && error.status
    ? html` <span class="muted">(${error.status} ${error.code})</span>` : ''}</p>`;
}

export function Loading({ what = '' }) {
  return html`<p class="muted loading" aria-busy="true">Loading${what ? ' ' + what : ''}…</p>`;
}

/** A button that runs an async action, shows that it is working, and reports its error next to itself. */
export function ActionButton({ action, children, kind = '', confirm: question, disabled, title, onDone, testid }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async () => {
    if (question && !window.confirm(question)) return;
    setBusy(true);
    setError(null);
    try {
      const result = await action();
      if (onDone) onDone(result);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<span class="action">
    <button type="button" class=${kind} onClick=${run} disabled=${busy || disabled} title=${title}
      data-testid=${testid} aria-busy=${busy}>${busy ? html`<span class="spinner"></span>` : ''}${children}</button>
    ${error ? html`<span class="error inline" role="alert">${error.message}</span>` : ''}
  </span>`;
}

const STATUS_CLASS = {
  passed: 'ok', succeeded: 'ok', started: 'ok', healthy: 'ok', pass: 'ok', promote: 'ok', approved: 'ok',
  failed: 'bad', rolled_back: 'bad', rejected: 'bad', fail: 'bad', rollback: 'bad', corrupt: 'bad', incompatible: 'bad',
  rolling_back: 'warn', paused: 'warn', awaiting_approval: 'warn', inconclusive: 'warn', pause: 'warn', extend: 'warn',
  cancelled: 'muted', aborted: 'muted', disabled: 'muted', stopped: 'muted',
  building: 'run', testing: 'run', in_progress: 'run', running: 'run', queued: 'idle', pending: 'idle', continue: 'run',
};

export function Status({ value }) {
  if (!value) return null;
  return html`<span class=${'badge ' + (STATUS_CLASS[value] || 'idle')}>${value.replace(/_/g, ' ')}</span>`;
}

export function ago(iso) {
  if (!iso) return '';
  const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 129600) return `${Math.round(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

export function Time({ at }) {
  if (!at) return html`<span class="muted">–</span>`;
  return html`<time datetime=${at} title=${new Date(at).toLocaleString()}>${ago(at)}</time>`;
}

export function duration(seconds) {
  if (seconds == null) return '';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

export const shortSha = (sha) => (sha ? sha.replace(/^sha256:/, '').slice(0, 12) : '');

export function Empty({ children }) {
  return html`<p class="empty muted">${children}</p>`;
}
