// What needs attention: recent builds, deploys under way, approvals waiting, and flags gone stale.
import { html, useApi, useMeaningfulPaint, ErrorBox, Loading, Empty, Status, Time, shortSha, duration } from '../ui.js';
import { DeployRow } from './deploys.js';

export const ACTIVE_DEPLOY = ['queued', 'pending', 'in_progress', 'paused', 'rolling_back', 'awaiting_approval'];

export function Dashboard() {
  const builds = useApi('/api/builds?limit=8', 5000);
  const deploys = useApi('/api/deploys?limit=100&status=' + ACTIVE_DEPLOY.join(','), 3000);
  const flags = useApi('/api/feature-flags', 30000);
  useMeaningfulPaint(builds.data && deploys.data, 'dashboard');

  const active = deploys.data ? deploys.data.deploys : [];
  const waiting = active.filter((d) => d.status === 'awaiting_approval');
  const stale = flags.data ? flags.data.flags.filter((f) => f.stale) : [];
  return html`<section class="dashboard">
    <h2>Dashboard</h2>
    <div class="grid">
      <article class="card">
        <h3>Recent builds <a class="more" href="#/builds">all</a></h3>
        <${ErrorBox} error=${builds.error} />
        ${builds.loading ? html`<${Loading} />` : html`<${BuildTable} builds=${builds.data ? builds.data.builds : []} />`}
      </article>
      <article class="card">
        <h3>Deploys under way <a class="more" href="#/deploys">all</a></h3>
        <${ErrorBox} error=${deploys.error} />
        ${deploys.loading ? html`<${Loading} />` : active.length === 0
          ? html`<${Empty}>No deploy is running.</${Empty}>`
          : html`<ul class="rows">${active.map((d) => html`<${DeployRow} deploy=${d} />`)}</ul>`}
      </article>
      <article class="card">
        <h3>Waiting for approval <a class="more" href="#/approvals">inbox</a></h3>
        ${deploys.loading ? html`<${Loading} />` : waiting.length === 0
          ? html`<${Empty}>Nothing waits for an approval.</${Empty}>`
          : html`<ul class="rows">${waiting.map((d) => html`<${DeployRow} deploy=${d} />`)}</ul>`}
      </article>
      <article class="card">
        <h3>Stale flags <a class="more" href="#/flags">flags</a></h3>
        <${ErrorBox} error=${flags.error} />
        ${flags.loading ? html`<${Loading} />` : stale.length === 0
          ? html`<${Empty}>No flag is stale.</${Empty}>`
          : html`<ul class="rows">${stale.map((f) => html`<li><a href=${'#/flags/' + encodeURIComponent(f.key)}>${f.key}</a>
              <span class="badge warn">stale</span> <span class="muted">unchanged since <${Time} at=${f.updated_at} /></span></li>`)}</ul>`}
      </article>
    </div>
  </section>`;
}

export function BuildTable({ builds }) {
  if (builds.length === 0) {
    return html`<${Empty}>No build yet. Register a repository (<code>POST /api/repos</code>) and push to it.</${Empty}>`;
  }
  return html`<table class="list">
    <thead><tr><th>Status</th><th>Repository</th><th>Branch</th><th>Commit</th><th>Queued</th><th>Took</th></tr></thead>
    <tbody>${builds.map((b) => html`<tr>
      <td><${Status} value=${b.status} /></td>
      <td><a href=${'#/builds/' + b.build_id}>${b.repo}</a></td>
      <td>${b.branch}</td>
      <td><code>${shortSha(b.commit_sha).slice(0, 8)}</code></td>
      <td><${Time} at=${b.queued_at} /></td>
      <td>${duration(b.duration_sec)}</td>
    </tr>`)}</tbody>
  </table>`;
}
