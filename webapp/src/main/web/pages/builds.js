// Builds: the list, and one build with its stages and its log as it grows (server-sent events).
import { useEffect, useRef, useState } from 'preact/hooks';
import { post } from '../api.js';
import { ansiSpans } from '../ansi.js';
import { hasRole, html, useApi, useMeaningfulPaint, ActionButton, ErrorBox, Loading, Status, Time, duration, shortSha } from '../ui.js';
import { BuildTable } from './dashboard.js';

const FINISHED = ['passed', 'failed', 'cancelled'];
const MAX_LINES = 10000; // the newest lines the page shows (the most the server sends at once); the whole log stays on the server

export function BuildList() {
  const [status, setStatus] = useState('');
  const builds = useApi('/api/builds?limit=100' + (status ? '&status=' + status : ''), 5000);
  return html`<section>
    <h2>Builds</h2>
    <label class="inline">Status
      <select value=${status} onChange=${(e) => setStatus(e.target.value)}>
        <option value="">any</option>
        ${['queued', 'building', 'testing', 'passed', 'failed', 'cancelled'].map((s) => html`<option>${s}</option>`)}
      </select>
    </label>
    <${ErrorBox} error=${builds.error} />
    ${builds.loading ? html`<${Loading} what="builds" />` : html`<${BuildTable} builds=${builds.data ? builds.data.builds : []} />`}
  </section>`;
}

export function BuildPage({ params: [id], user }) {
  const [finished, setFinished] = useState(false);
  const build = useApi('/api/builds/' + encodeURIComponent(id), finished ? 0 : 2000);
  const b = build.data;
  useEffect(() => {
    if (b && FINISHED.includes(b.status)) setFinished(true);
  }, [b && b.status]);
  useMeaningfulPaint(b, 'build');
  if (!b) return build.error ? html`<${ErrorBox} error=${build.error} />` : html`<${Loading} what="the build" />`;

  const canAct = hasRole(user, 'developer');
  return html`<section class="build">
    <h2>Build of ${b.repo} <${Status} value=${b.status} /></h2>
    <dl class="facts">
      <dt>Branch</dt><dd>${b.branch}</dd>
      <dt>Commit</dt><dd><code>${b.commit_sha}</code></dd>
      <dt>Queued</dt><dd><${Time} at=${b.queued_at} /> by ${b.requested_by || b.trigger}</dd>
      <dt>Took</dt><dd>${b.duration_sec != null ? duration(b.duration_sec) : 'running'}${b.attempt > 1 ? ` (attempt ${b.attempt})` : ''}</dd>
      ${b.artifact_sha ? html`<dt>Artifact</dt><dd><code title=${b.artifact_sha}>${shortSha(b.artifact_sha)}</code></dd>` : ''}
      ${b.failure_reason ? html`<dt>Why it failed</dt><dd class="error">${b.failure_reason}</dd>` : ''}
    </dl>
    ${canAct ? html`<div class="actions">
      ${!FINISHED.includes(b.status) ? html`<${ActionButton} action=${() => post(`/api/builds/${b.build_id}/cancel`)}
        onDone=${build.reload} confirm="Cancel this build? Its running step is killed.">Cancel</${ActionButton}>` : ''}
      ${FINISHED.includes(b.status) ? html`<${ActionButton} action=${() => post(`/api/builds/${b.build_id}/rerun`)}
        onDone=${(r) => { location.hash = '#/builds/' + r.build_id; }}>Run again</${ActionButton}>` : ''}
    </div>` : ''}
    <${ErrorBox} error=${build.error} />
    <${Stages} stages=${b.stages || []} />
    <h3>Log</h3>
    <${LiveLog} buildId=${b.build_id} />
  </section>`;
}

function Stages({ stages }) {
  return html`<ol class="stages">${stages.map((stage) => html`<li class="stage">
    <div class="stage-head"><strong>${stage.name}</strong> <${Status} value=${stage.status} />
      <span class="muted">${duration(stage.duration_sec)}</span></div>
    <ul class="steps">${(stage.steps || []).map((step) => html`<li>
      <${Status} value=${step.status} /> ${step.name} <span class="muted">${duration(step.duration_sec)}${step.exit_code != null && step.exit_code !== 0 ? ` · exit ${step.exit_code}` : ''}</span>
      ${step.reason ? html`<div class="error small">${step.reason}</div>` : ''}
    </li>`)}</ul>
  </li>`)}</ol>`;
}

/** The build's log from its first line, then each new line as the server sends it. */
function LiveLog({ buildId }) {
  const [lines, setLines] = useState([]);
  const [state, setState] = useState('connecting');
  const [follow, setFollow] = useState(true);
  const box = useRef(null);
  useEffect(() => {
    const pending = [];
    let flushTimer = null;
    const flush = () => {
      flushTimer = null;
      const batch = pending.splice(0);
      setLines((old) => {
        const next = old.concat(batch);
        return next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
      });
    };
    const source = new EventSource(`/api/builds/${encodeURIComponent(buildId)}/logs?follow=true&lines=${MAX_LINES}`);
    source.onopen = () => setState('live');
    source.addEventListener('log', (e) => {
      pending.push(JSON.parse(e.data));
      if (!flushTimer) flushTimer = setTimeout(flush, 50); // many lines at once render once
    });
    source.addEventListener('end', () => {
      source.close();
      flush();
      setState('finished');
    });
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting');
    return () => {
      source.close();
      if (flushTimer) clearTimeout(flushTimer);
    };
  }, [buildId]);
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);
  return html`<div class="log-wrap">
    <div class="log-bar">
      <span class=${'badge ' + (state === 'live' ? 'run' : state === 'finished' ? 'ok' : 'warn')} data-testid="log-state">${state}</span>
      <span class="muted">${lines.length} lines</span>
      <label class="inline"><input type="checkbox" checked=${follow} onChange=${(e) => setFollow(e.target.checked)} /> follow</label>
    </div>
    <pre class="log" ref=${box} data-testid="build-log" onScroll=${(e) => {
      const el = e.target;
      const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 30;
      if (!atBottom && follow) setFollow(false);
    }}>${lines.map((l) => html`<div class=${'line ' + l.level}><span class="n">${l.line}</span>${ansiSpans(l.message)}</div>`)}</pre>
  </div>`;
}
