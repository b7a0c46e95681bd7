// Deploys: the list, and one deploy with its rollout, its canary analysis drawn as charts, and the actions on it.
import { useState } from 'preact/hooks';
import { post } from '../api.js';
import { hasRole, html, useApi, useMeaningfulPaint, ActionButton, ErrorBox, Loading, Empty, Status, Time, shortSha } from '../ui.js';
import { HistogramChart, RateChart } from '../charts.js';

const ACTIVE = ['queued', 'pending', 'in_progress', 'paused', 'rolling_back', 'awaiting_approval'];

export function DeployRow({ deploy: d }) {
  return html`<li class="deploy-row">
    <a href=${'#/deploys/' + d.deploy_id}><strong>${d.service}</strong> → ${d.environment}</a>
    <${Status} value=${d.status} />
    ${d.kind === 'rollback' ? html`<span class="badge bad">rollback</span>` : ''}
    <span class="muted">step ${Math.min(d.step.index + 1, d.step.count)}/${d.step.count}${d.step.description ? ': ' + d.step.description : ''}</span>
    <span class="muted"> · <${Time} at=${d.created_at} /> by ${d.initiated_by}</span>
  </li>`;
}

export function DeployList() {
  const [status, setStatus] = useState('');
  const deploys = useApi('/api/deploys?limit=100' + (status ? '&status=' + status : ''), 3000);
  return html`<section>
    <h2>Deploys</h2>
    <label class="inline">Status
      <select value=${status} onChange=${(e) => setStatus(e.target.value)}>
        <option value="">any</option>
        ${['pending', 'in_progress', 'awaiting_approval', 'paused', 'rolling_back', 'succeeded', 'rolled_back', 'failed',
          'rejected', 'aborted'].map((s) => html`<option value=${s}>${s.replace(/_/g, ' ')}</option>`)}
      </select>
    </label>
    <${ErrorBox} error=${deploys.error} />
    ${deploys.loading ? html`<${Loading} what="deploys" />` : deploys.data.deploys.length === 0
      ? html`<${Empty}>No deploy${status ? ' with that status' : ' yet'}.</${Empty}>`
      : html`<ul class="rows">${deploys.data.deploys.map((d) => html`<${DeployRow} deploy=${d} />`)}</ul>`}
  </section>`;
}

export function DeployPage({ params: [id], user }) {
  const deploy = useApi('/api/deploys/' + encodeURIComponent(id), 1500);
  const d = deploy.data;
  const active = d && ACTIVE.includes(d.status);
  const analysis = useApi(d ? `/api/deploys/${encodeURIComponent(id)}/analysis` : null, active ? 3000 : 0);
  useMeaningfulPaint(d, 'deploy');
  if (!d) return deploy.error ? html`<${ErrorBox} error=${deploy.error} />` : html`<${Loading} what="the deploy" />`;

  return html`<section class="deploy">
    <h2>${d.service} → ${d.environment} <${Status} value=${d.status} /></h2>
    <dl class="facts">
      <dt>Release</dt><dd><code title=${d.release.artifact_sha}>${d.release.release_id}</code> (${shortSha(d.release.artifact_sha)})</dd>
      ${d.previous_release ? html`<dt>Previous</dt><dd><code>${d.previous_release.release_id}</code></dd>` : ''}
      <dt>Strategy</dt><dd>${d.strategy}${d.kind === 'rollback' ? ' (a rollback)' : ''}</dd>
      <dt>Started</dt><dd><${Time} at=${d.created_at} /> by ${d.initiated_by}</dd>
      ${d.finished_at ? html`<dt>Finished</dt><dd><${Time} at=${d.finished_at} /></dd>` : ''}
      ${d.reason ? html`<dt>Why</dt><dd>${d.reason}</dd>` : ''}
    </dl>
    ${hasRole(user, 'deployer') ? html`<${DeployActions} deploy=${d} user=${user} onDone=${deploy.reload} />` : ''}
    <${ErrorBox} error=${deploy.error} />
    <h3>Rollout</h3>
    <${Rollout} deploy=${d} />
    <h3>Canary analysis</h3>
    <${ErrorBox} error=${analysis.error} />
    ${analysis.data ? html`<${Analysis} looks=${analysis.data.looks} />` : html`<${Loading} what="the analysis" />`}
    ${d.approvals.length ? html`<h3>Approvals</h3><ul class="rows">${d.approvals.map((a) => html`<li>
      <${Status} value=${a.decision} /> ${a.user} at step ${a.step + 1} <${Time} at=${a.at} />${a.comment ? ` — “${a.comment}”` : ''}</li>`)}</ul>` : ''}
    <h3>History</h3>
    <table class="list history">
      <thead><tr><th>When</th><th>Change</th><th>Step</th><th>By</th><th>Why</th></tr></thead>
      <tbody>${d.transitions.slice().reverse().map((t) => html`<tr>
        <td><${Time} at=${t.at} /></td><td>${t.from ? t.from.replace(/_/g, ' ') + ' → ' : ''}${t.to.replace(/_/g, ' ')} <span class="muted">(${t.action})</span></td>
        <td>${t.step != null ? t.step + 1 : ''}</td><td>${t.actor}</td><td>${t.reason || ''}</td></tr>`)}</tbody>
    </table>
  </section>`;
}

function DeployActions({ deploy: d, user, onDone }) {
  const act = (action, body) => () => post(`/api/deploys/${d.deploy_id}/${action}`, body);
  const atHold = d.step.kind === 'hold' || d.step.kind === 'approval';
  const active = ACTIVE.includes(d.status);
  const ownDeploy = d.initiated_by === user.name;
  const rollback = async () => {
    const reason = window.prompt(`Roll ${d.service} in ${d.environment} back to the previous release? Say why:`, '');
    if (reason === null) return null;
    const result = await post(`/api/deploys/${d.deploy_id}/rollback`, reason ? { reason } : {});
    if (result && result.deploy_id && result.deploy_id !== d.deploy_id) location.hash = '#/deploys/' + result.deploy_id;
    return result;
  };
  return html`<div class="actions" data-testid="deploy-actions">
    ${d.status === 'awaiting_approval' ? html`
      <${ActionButton} kind="primary" testid="approve" action=${act('approve', {})} onDone=${onDone}
        title=${ownDeploy ? 'You started this deploy: another person must approve it' : ''}>Approve</${ActionButton}>
      <${ActionButton} kind="danger" testid="reject" action=${act('reject', {})} onDone=${onDone}
        confirm="Reject this deploy? It stops and traffic stays on the previous release.">Reject</${ActionButton}>` : ''}
    ${d.status === 'in_progress' ? html`<${ActionButton} testid="pause" action=${act('pause')} onDone=${onDone}>Pause</${ActionButton}>` : ''}
    ${d.status === 'paused' ? html`<${ActionButton} testid="resume" action=${act('resume')} onDone=${onDone}>Resume</${ActionButton}>` : ''}
    ${(d.status === 'in_progress' || d.status === 'paused') && atHold ? html`<${ActionButton} testid="promote"
      action=${act('promote')} onDone=${onDone} confirm="End this step now and move on to the next?">Promote</${ActionButton}>` : ''}
    ${active && d.status !== 'rolling_back' ? html`<${ActionButton} testid="abort" action=${act('abort')} onDone=${onDone}
      confirm="Abort this deploy? Traffic goes back to the previous release.">Abort</${ActionButton}>` : ''}
    ${d.status !== 'rolling_back' && d.status !== 'rolled_back' && d.previous_release ? html`<${ActionButton} kind="danger"
      testid="rollback" action=${rollback} onDone=${onDone}>Roll back</${ActionButton}>` : ''}
  </div>`;
}

/** The plan's steps with the current one marked, the traffic split per target, and the instances per version. */
function Rollout({ deploy: d }) {
  const targets = Object.entries(d.weights || {});
  const versions = Object.entries(d.instances || {});
  return html`<div class="rollout">
    <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax=${d.step.count} aria-valuenow=${d.step.index}>
      <div class="bar" style=${`width: ${(100 * d.step.index) / Math.max(d.step.count, 1)}%`}></div>
      <span>step ${Math.min(d.step.index + 1, d.step.count)} of ${d.step.count}${d.step.description ? ': ' + d.step.description : ''}</span>
    </div>
    <div class="grid two">
      <div>
        <h4>Traffic</h4>
        ${targets.length === 0 ? html`<${Empty}>No traffic set yet.</${Empty}>` : targets.map(([target, weights]) => html`
          <div class="weights" data-testid="weights">
            <span class="muted small">${target}</span>
            <div class="split">${Object.entries(weights).filter(([, w]) => w > 0).map(([version, w]) => html`
              <span class=${'part ' + (version === d.release.release_id ? 'canary' : 'baseline')}
                style=${`flex: ${w}`} title=${`${version}: ${w}%`}>${version} ${w}%</span>`)}</div>
          </div>`)}
      </div>
      <div>
        <h4>Instances</h4>
        ${versions.length === 0 ? html`<${Empty}>No instance reported.</${Empty}>` : html`<table class="list">
          <thead><tr><th>Target</th><th>Version</th><th>Healthy</th></tr></thead>
          <tbody>${versions.flatMap(([target, list]) => summarize(list).map(([version, healthy, total]) => html`<tr>
            <td>${target}</td><td><code>${version}</code></td><td>${healthy}/${total}</td></tr>`))}</tbody></table>`}
      </div>
    </div>
    <details><summary>The whole plan (${d.plan.length} steps)</summary>
      <ol class="plan">${d.plan.map((s, i) => html`<li class=${i < d.step.index ? 'done' : i === d.step.index ? 'current' : ''}>
        ${s.kind.replace(/_/g, ' ')}${s.weights ? ': ' + Object.entries(s.weights).map(([v, w]) => `${w}% ${v}`).join(', ') : ''}
        ${s.duration_ms ? ` for ${s.duration_ms / 1000} s` : ''}${s.analysis ? ` (${s.analysis} analysis)` : ''}
        ${s.version && !s.weights ? ` ${s.version}` : ''}</li>`)}</ol>
    </details>
  </div>`;
}

function summarize(instances) {
  const byVersion = new Map();
  for (const i of instances) {
    const [healthy, total] = byVersion.get(i.version) || [0, 0];
    byVersion.set(i.version, [healthy + (i.healthy ? 1 : 0), total + 1]);
  }
  return [...byVersion.entries()].map(([version, [healthy, total]]) => [version, healthy, total]);
}

/** Per analysed step, its latest look drawn as charts with the verdict in words, and the looks before it. */
function Analysis({ looks }) {
  if (looks.length === 0) {
    return html`<${Empty}>No analysis yet: it starts at the first canary hold of an environment with an <code>analysis</code> section (see docs/canary-analysis.md).</${Empty}>`;
  }
  const bySteps = new Map();
  for (const look of looks) {
    const key = `${look.step}:${look.kind}`;
    if (!bySteps.has(key)) bySteps.set(key, []);
    bySteps.get(key).push(look);
  }
  return html`<div class="analysis">${[...bySteps.values()].map((stepLooks) => {
    const last = stepLooks[stepLooks.length - 1];
    return html`<article class="card look" data-testid="analysis-step">
      <h4>Step ${last.step + 1}${last.label ? ` (${last.label})` : ''}: ${last.kind === 'soak' ? 'soak' : 'canary vs baseline'}
        <${Status} value=${last.verdict} /> → <${Status} value=${last.decision} /></h4>
      <p class="verdict">${last.explanation}</p>
      <p class="muted small">Look ${last.look}${last.final_look ? ' (final)' : ''}, <${Time} at=${last.looked_at} />; ${last.canary_version} against ${last.baseline_version}; score ${last.score != null ? last.score : '–'}</p>
      <div class="metrics">${(last.metrics || []).map((m) => html`<div class="metric">
        <h5>${m.metric} <${Status} value=${m.verdict} />${m.critical ? html` <span class="badge bad">critical</span>` : ''}</h5>
        ${m.kind === 'proportion'
          ? html`<${RateChart} canary=${m.canary} baseline=${m.baseline} />`
          : html`<${HistogramChart} edges=${m.bin_edges} canary=${m.canary} baseline=${m.baseline} />
            <${Quantiles} canary=${m.canary} baseline=${m.baseline} />`}
        <p class="small">${m.explanation || ''}${m.p_value != null ? html` <span class="muted">p = ${m.p_value.toPrecision(3)}, tested at ${m.level != null ? m.level.toPrecision(2) : '–'}</span>` : ''}</p>
      </div>`)}</div>
      <div class="legend small"><span class="swatch baseline"></span> baseline <span class="swatch canary"></span> canary</div>
      ${stepLooks.length > 1 ? html`<details><summary>${stepLooks.length} looks</summary><table class="list">
        <thead><tr><th>Look</th><th>When</th><th>Verdict</th><th>Decision</th></tr></thead>
        <tbody>${stepLooks.map((l) => html`<tr><td>${l.look}</td><td><${Time} at=${l.looked_at} /></td>
          <td><${Status} value=${l.verdict} /></td><td><${Status} value=${l.decision} /></td></tr>`)}</tbody></table></details>` : ''}
    </article>`;
  })}</div>`;
}

function Quantiles({ canary, baseline }) {
  if (!canary || !baseline) return null;
  const row = (name, s) => html`<tr><td>${name}</td><td>${s.count}</td><td>${fmt(s.p50)}</td><td>${fmt(s.p90)}</td><td>${fmt(s.p99)}</td></tr>`;
  return html`<table class="list small quantiles"><thead><tr><th></th><th>samples</th><th>p50</th><th>p90</th><th>p99</th></tr></thead>
    <tbody>${row('baseline', baseline)}${row('canary', canary)}</tbody></table>`;
}

const fmt = (v) => (v == null ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(2));
