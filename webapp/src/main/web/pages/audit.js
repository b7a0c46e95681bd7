// The audit log, newest first, filtered by who, what and which object.
import { useState } from 'preact/hooks';
import { html, useApi, ErrorBox, Loading, Empty, Time } from '../ui.js';

export function Audit() {
  const [filters, setFilters] = useState({ actor: '', action: '', target: '' });
  const query = Object.entries(filters).filter(([, v]) => v).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  const entries = useApi('/api/audit?limit=200' + (query ? '&' + query : ''));
  const [open, setOpen] = useState(null);
  const apply = (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    setFilters({ actor: form.get('actor').trim(), action: form.get('action').trim(), target: form.get('target').trim() });
  };
  return html`<section>
    <h2>Audit log</h2>
    <form class="filters" onSubmit=${apply}>
      <label>Who<input name="actor" placeholder="admin" /></label>
      <label>Action<input name="action" placeholder="deploy.approve" /></label>
      <label>Object<input name="target" placeholder="flag:new-checkout" /></label>
      <button type="submit">Filter</button>
    </form>
    <${ErrorBox} error=${entries.error} />
    ${entries.loading ? html`<${Loading} />` : !entries.data || entries.data.entries.length === 0
      ? html`<${Empty}>No entry matches.</${Empty}>`
      : html`<table class="list audit">
        <thead><tr><th>When</th><th>Who</th><th>Action</th><th>Object</th></tr></thead>
        <tbody>${entries.data.entries.map((e) => html`<tr onClick=${() => setOpen(open === e.id ? null : e.id)} class="clickable">
            <td><${Time} at=${e.occurred_at} /></td><td>${e.actor}</td><td>${e.action}</td><td>${e.target}</td></tr>
          ${open === e.id ? html`<tr class="detail"><td colspan="4"><div class="grid two">
            <div><h5>Before</h5><pre>${JSON.stringify(e.before, null, 2)}</pre></div>
            <div><h5>After</h5><pre>${JSON.stringify(e.after, null, 2)}</pre></div></div></td></tr>` : ''}`)}</tbody>
      </table>`}
  </section>`;
}
