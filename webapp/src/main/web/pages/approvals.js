// The approvals inbox: every deploy waiting for an approval, with approve and reject at hand.
import { post } from '../api.js';
import { hasRole, html, useApi, useMeaningfulPaint, ActionButton, ErrorBox, Loading, Empty, Time, shortSha } from '../ui.js';

export function Approvals({ user }) {
  const waiting = useApi('/api/deploys?status=awaiting_approval&limit=100', 3000);
  useMeaningfulPaint(waiting.data, 'approvals');
  const canApprove = hasRole(user, 'deployer');
  return html`<section>
    <h2>Approvals</h2>
    ${canApprove ? '' : html`<p class="muted">Approving needs the deployer role; you can see what waits.</p>`}
    <${ErrorBox} error=${waiting.error} />
    ${waiting.loading ? html`<${Loading} />` : waiting.data.deploys.length === 0
      ? html`<${Empty}>Nothing waits for an approval.</${Empty}>`
      : html`<ul class="rows approvals">${waiting.data.deploys.map((d) => html`<li class="card" data-testid="approval">
          <a href=${'#/deploys/' + d.deploy_id}><strong>${d.service}</strong> → ${d.environment}</a>
          <span class="muted"> release <code>${d.release.release_id}</code> (${shortSha(d.release.artifact_sha)}), started <${Time} at=${d.created_at} /> by ${d.initiated_by}</span>
          ${canApprove ? html`<div class="actions">
            ${d.initiated_by === user.name ? html`<span class="muted small">You started this deploy: another person must approve it.</span>` : ''}
            <${ActionButton} kind="primary" action=${() => post(`/api/deploys/${d.deploy_id}/approve`, {})} onDone=${waiting.reload}>Approve</${ActionButton}>
            <${ActionButton} kind="danger" action=${() => post(`/api/deploys/${d.deploy_id}/reject`, {})} onDone=${waiting.reload}
              confirm="Reject this deploy?">Reject</${ActionButton}>
          </div>` : ''}
        </li>`)}</ul>`}
  </section>`;
}
