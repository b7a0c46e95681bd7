// Plugins (admin): what is installed with its extensions; upload a zip; enable, disable, uninstall.
import { useState } from 'preact/hooks';
import { api, post, del, seg } from '../api.js';
import { html, useApi, useMeaningfulPaint, ActionButton, ErrorBox, Loading, Empty, Status, Time } from '../ui.js';

export function Plugins() {
  const plugins = useApi('/api/plugins');
  useMeaningfulPaint(plugins.data, 'plugins');
  return html`<section>
    <h2>Plugins</h2>
    <${Upload} onInstalled=${plugins.reload} />
    <${ErrorBox} error=${plugins.error} />
    ${plugins.loading ? html`<${Loading} what="plugins" />` : plugins.data.plugins.length === 0
      ? html`<${Empty}>No plugin is installed.</${Empty}>`
      : html`<div class="plugins">${plugins.data.plugins.map((p) => html`<article class="card plugin" data-testid=${'plugin-' + p.id}>
          <h3>${p.id} <span class="muted">${p.version}</span> <${Status} value=${p.state} /></h3>
          ${p.description ? html`<p>${p.description}</p>` : ''}
          ${p.problem ? html`<p class="error">${p.problem}</p>` : ''}
          <p class="muted small">${p.provider ? `by ${p.provider} · ` : ''}${p.source}${p.installed_at ? html` · installed <${Time} at=${p.installed_at} />${p.installed_by ? ' by ' + p.installed_by : ''}` : ''}${p.requires ? ` · needs plugin API ${p.requires}` : ''}</p>
          ${p.extensions && p.extensions.length ? html`<ul class="small extensions">${p.extensions.map((e) => html`<li>
            <code>${e.class_name.split('.').pop()}</code> → ${e.extension_points.map((x) => x.split('.').pop()).join(', ')}</li>`)}</ul>` : ''}
          <div class="actions">
            ${p.enabled
              ? html`<${ActionButton} action=${() => post(`/api/plugins/${seg(p.id)}/disable`)} onDone=${plugins.reload}
                  confirm=${`Disable ${p.id}? Its extensions stop at once on every replica.`}>Disable</${ActionButton}>`
              : html`<${ActionButton} action=${() => post(`/api/plugins/${seg(p.id)}/enable`)} onDone=${plugins.reload}>Enable</${ActionButton}>`}
            ${p.source !== 'bundled' ? html`<${ActionButton} kind="danger" action=${() => del(`/api/plugins/${seg(p.id)}`)}
              onDone=${plugins.reload} confirm=${`Uninstall ${p.id}? Its zip is deleted.`}>Uninstall</${ActionButton}>` : ''}
          </div>
        </article>`)}</div>`}
  </section>`;
}

function Upload({ onInstalled }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    const file = event.target.elements.zip.files[0];
    if (!file) return;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const plugin = await api('POST', '/api/plugins', { body: file, headers: { 'Content-Type': 'application/zip' } });
      setDone(plugin);
      event.target.reset();
      onInstalled();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="upload card" onSubmit=${submit}>
    <label>Install a plugin (a PF4J zip)<input type="file" name="zip" accept=".zip,application/zip" required data-testid="plugin-zip" /></label>
    <button type="submit" class="primary" disabled=${busy} aria-busy=${busy}>${busy ? 'Uploading…' : 'Upload and install'}</button>
    <${ErrorBox} error=${error} />
    ${done ? html`<p class="ok-text" role="status">Installed ${done.id} ${done.version}: ${done.state}.</p>` : ''}
  </form>`;
}
