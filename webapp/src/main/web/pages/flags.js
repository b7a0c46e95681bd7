// Feature flags: the list with stale badges; one flag per environment with its switch, a rollout slider, its
// variants and rules, and the kill switch. Saving sends the version read (If-Match), so no edit is silently lost.
import { useEffect, useState } from 'preact/hooks';
import { api, post, seg } from '../api.js';
import { hasRole, html, useApi, useMeaningfulPaint, ActionButton, ErrorBox, Loading, Empty, Time } from '../ui.js';

const TYPES = ['release', 'experiment', 'ops', 'kill_switch'];

export function FlagList({ user }) {
  const [archived, setArchived] = useState(false);
  const flags = useApi('/api/feature-flags' + (archived ? '?archived=true' : ''), 10000);
  useMeaningfulPaint(flags.data, 'flags');
  return html`<section>
    <h2>Feature flags</h2>
    ${hasRole(user, 'developer') ? html`<${NewFlag} />` : ''}
    <label class="inline"><input type="checkbox" checked=${archived} onChange=${(e) => setArchived(e.target.checked)} /> archived ones</label>
    <${ErrorBox} error=${flags.error} />
    ${flags.loading ? html`<${Loading} what="flags" />` : flags.data.flags.length === 0
      ? html`<${Empty}>No flag${archived ? ' is archived' : ' yet'}.</${Empty}>`
      : html`<table class="list flags">
        <thead><tr><th>Flag</th><th>Type</th><th>Environments</th><th>Owner</th><th>Changed</th></tr></thead>
        <tbody>${flags.data.flags.map((f) => html`<tr data-testid=${'flag-' + f.key}>
          <td><a href=${'#/flags/' + encodeURIComponent(f.key)}>${f.key}</a>
            ${f.stale ? html` <span class="badge warn" title="Fully rolled out or fully off and unchanged for long: remove it from the code">stale</span>` : ''}
            ${f.archived ? html` <span class="badge muted">archived</span>` : ''}
            ${f.description ? html`<div class="muted small">${f.description}</div>` : ''}</td>
          <td>${f.type.replace('_', ' ')}</td>
          <td>${Object.entries(f.environments).map(([name, env]) => html`<span class=${'badge ' + (env.enabled ? 'ok' : 'muted')}
            title=${env.enabled ? `on, ${rolloutOf(env)}% rollout` : 'off'}>${name}${env.enabled ? ' ' + rolloutOf(env) + '%' : ' off'}</span> `)}</td>
          <td>${f.owner}</td><td><${Time} at=${f.updated_at} /></td></tr>`)}</tbody></table>`}
  </section>`;
}

function NewFlag() {
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    setError(null);
    try {
      const flag = await post('/api/feature-flags', { name: form.get('key').trim(), rollout_percentage: 0,
        type: form.get('type'), owner: form.get('owner').trim(), description: form.get('description').trim() });
      location.hash = '#/flags/' + encodeURIComponent(flag.key);
    } catch (e) {
      setError(e);
    }
  };
  return html`<form class="filters" onSubmit=${submit} aria-label="New flag">
    <label>New flag<input name="key" placeholder="new-checkout" pattern="[a-z0-9][a-z0-9._-]{0,99}" required
      title="lowercase letters, digits, '.', '_' or '-'" /></label>
    <label>Type<select name="type">${TYPES.map((t) => html`<option value=${t}>${t.replace('_', ' ')}</option>`)}</select></label>
    <label>Owner<input name="owner" placeholder="team-payments" /></label>
    <label>Description<input name="description" /></label>
    <button type="submit">Create (0 % rollout)</button>
    <${ErrorBox} error=${error} />
  </form>`;
}

/** The rollout the status shows: the last rule's, as docs/flags.md defines it. */
function rolloutOf(env) {
  if (!env.enabled || !env.rules || env.rules.length === 0) return 0;
  const last = env.rules[env.rules.length - 1];
  return last.rollout == null ? 100 : last.rollout;
}

export function FlagPage({ params: [key], user }) {
  const loaded = useApi('/api/feature-flags/' + seg(key));
  const [draft, setDraft] = useState(null);
  const [envName, setEnvName] = useState(null);
  const [saveError, setSaveError] = useState(null);
  const [saved, setSaved] = useState(false);
  const canEdit = hasRole(user, 'developer');
  useMeaningfulPaint(loaded.data, 'flag');

  useEffect(() => {
    if (loaded.data) {
      setDraft(JSON.parse(JSON.stringify(loaded.data)));
      const names = Object.keys(loaded.data.environments);
      setEnvName((current) => (current && names.includes(current) ? current : names[0] || null));
    }
  }, [loaded.data]);
  if (!draft) return loaded.error ? html`<${ErrorBox} error=${loaded.error} />` : html`<${Loading} what="the flag" />`;

  const flag = loaded.data;
  const dirty = JSON.stringify(draft) !== JSON.stringify(flag);
  const env = envName ? draft.environments[envName] : null;
  const setEnv = (change) => {
    setSaved(false);
    setDraft({ ...draft, environments: { ...draft.environments, [envName]: { ...env, ...change } } });
  };
  const save = async () => {
    setSaveError(null);
    try {
      await api('PUT', '/api/feature-flags/' + seg(key), {
        body: { description: draft.description, owner: draft.owner, type: draft.type, environments: draft.environments },
        headers: { 'If-Match': `"${flag.version}"` },
      });
      setSaved(true);
      loaded.reload();
    } catch (e) {
      setSaveError(e.status === 412
        ? { ...e, message: 'Someone changed this flag since you opened it. Reload to see their change, then make yours again.' }
        : e);
    }
  };
  const addEnvironment = () => {
    const name = (window.prompt('Environment name (e.g. staging):') || '').trim();
    if (!name) return;
    setDraft({ ...draft, environments: { ...draft.environments, [name]: { enabled: false,
      variants: [{ key: 'on', payload: true }, { key: 'off', payload: false }], off_variant: 'off', rules: [] } } });
    setEnvName(name);
  };

  return html`<section class="flag">
    <h2>${flag.key} ${flag.stale ? html`<span class="badge warn">stale</span>` : ''}${flag.archived ? html` <span class="badge muted">archived</span>` : ''}</h2>
    <p class="muted small">version ${flag.version}, changed <${Time} at=${flag.updated_at} /></p>
    ${flag.stale ? html`<p class="warn-text">This flag is settled (fully on or fully off) and unchanged for long: remove it from the code, then archive it.</p>` : ''}
    <div class="grid two">
      <label>Description<input value=${draft.description} disabled=${!canEdit} onInput=${(e) => setDraft({ ...draft, description: e.target.value })} /></label>
      <label>Owner<input value=${draft.owner} disabled=${!canEdit} onInput=${(e) => setDraft({ ...draft, owner: e.target.value })} /></label>
      <label>Type<select value=${draft.type} disabled=${!canEdit} onChange=${(e) => setDraft({ ...draft, type: e.target.value })}>
        ${TYPES.map((t) => html`<option value=${t}>${t.replace('_', ' ')}</option>`)}</select></label>
    </div>
    <div class="tabs" role="tablist">
      ${Object.keys(draft.environments).map((name) => html`<button type="button" role="tab" aria-selected=${name === envName}
        class=${name === envName ? 'tab current' : 'tab'} onClick=${() => setEnvName(name)}>${name}</button>`)}
      ${canEdit && !flag.archived ? html`<button type="button" class="tab link" onClick=${addEnvironment}>+ environment</button>` : ''}
    </div>
    ${env ? html`<${EnvironmentEditor} env=${env} setEnv=${setEnv} canEdit=${canEdit && !flag.archived} />
      <${FlagStatus} flagKey=${key} environment=${envName} version=${flag.version} />`
      : html`<${Empty}>This flag is not set up in any environment yet.</${Empty}>`}
    ${canEdit && !flag.archived ? html`<div class="actions sticky">
      <button type="button" class="primary" disabled=${!dirty} onClick=${save} data-testid="save-flag">Save changes</button>
      ${dirty ? html`<button type="button" onClick=${() => setDraft(JSON.parse(JSON.stringify(flag)))}>Discard</button>` : ''}
      ${env && flag.environments[envName] && flag.environments[envName].enabled ? html`<${ActionButton} kind="danger" testid="kill-switch"
        action=${() => post(`/api/feature-flags/${seg(key)}/kill`, { environment: envName })} onDone=${loaded.reload}
        confirm=${`Switch ${flag.key} off in ${envName} now? Every SDK gets the change within a second.`}>Kill switch (${envName})</${ActionButton}>` : ''}
      <${ActionButton} action=${() => post(`/api/feature-flags/${seg(key)}/archive`)} onDone=${loaded.reload}
        confirm=${`Archive ${flag.key}? It disappears from every SDK stream; its key is never reused.`}>Archive</${ActionButton}>
      ${saved && !dirty ? html`<span class="ok-text" role="status">Saved.</span>` : ''}
    </div>` : ''}
    <${ErrorBox} error=${saveError} />
    ${saveError && saveError.status === 412 ? html`<button type="button" onClick=${() => { setSaveError(null); loaded.reload(); }}>Reload</button>` : ''}
  </section>`;
}

function EnvironmentEditor({ env, setEnv, canEdit }) {
  const rollout = rolloutOf({ ...env, enabled: true });
  const setRollout = (value) => {
    const percent = Math.max(0, Math.min(100, Number(value)));
    const rules = env.rules.slice();
    const last = rules[rules.length - 1];
    if (last && !last.constraints?.length && !last.segments?.length) {
      rules[rules.length - 1] = { ...last, rollout: percent };
    } else {
      const serveVariant = env.variants.find((v) => v.key !== env.off_variant) || env.variants[0];
      rules.push({ description: 'gradual rollout', rollout: percent, serve: { variant: serveVariant.key } });
    }
    setEnv({ rules });
  };
  return html`<div class="card env">
    <label class="switch"><input type="checkbox" checked=${env.enabled} disabled=${!canEdit} data-testid="flag-enabled"
      onChange=${(e) => setEnv({ enabled: e.target.checked })} /> ${env.enabled ? 'On' : 'Off'} in this environment</label>
    <label>Rollout: <strong data-testid="rollout-value">${rollout} %</strong> of users reaching the last rule
      <input type="range" min="0" max="100" step="1" value=${rollout} disabled=${!canEdit} data-testid="rollout-slider"
        onInput=${(e) => setRollout(e.target.value)} /></label>
    <h4>Variants <span class="muted small">(off variant: ${env.off_variant})</span></h4>
    <${VariantsEditor} env=${env} setEnv=${setEnv} canEdit=${canEdit} />
    <h4>Rules <span class="muted small">(in order; the first that matches decides)</span></h4>
    <ol class="rules">${env.rules.map((r) => html`<li>${describeRule(r)}</li>`)}</ol>
    <${JsonEditor} label="Rules as JSON (docs/flags.md)" value=${env.rules} canEdit=${canEdit}
      onValid=${(rules) => setEnv({ rules })} />
  </div>`;
}

function VariantsEditor({ env, setEnv, canEdit }) {
  const update = (i, change) => setEnv({ variants: env.variants.map((v, j) => (i === j ? { ...v, ...change } : v)) });
  return html`<table class="list small variants"><thead><tr><th>Key</th><th>Payload (JSON)</th><th></th></tr></thead>
    <tbody>${env.variants.map((v, i) => html`<tr>
      <td><input value=${v.key} disabled=${!canEdit} onInput=${(e) => update(i, { key: e.target.value })} /></td>
      <td><${PayloadInput} value=${v.payload} canEdit=${canEdit} onValid=${(payload) => update(i, { payload })} /></td>
      <td>${canEdit && env.variants.length > 2 ? html`<button type="button" class="link"
        onClick=${() => setEnv({ variants: env.variants.filter((_, j) => j !== i) })}>remove</button>` : ''}</td></tr>`)}
    </tbody></table>
    ${canEdit ? html`<button type="button" class="link" onClick=${() => setEnv({ variants: [...env.variants,
      { key: 'variant-' + (env.variants.length + 1), payload: null }] })}>+ variant</button>` : ''}`;
}

function PayloadInput({ value, onValid, canEdit }) {
  const [text, setText] = useState(JSON.stringify(value));
  const [bad, setBad] = useState(false);
  return html`<input class=${bad ? 'invalid' : ''} value=${text} disabled=${!canEdit} title=${bad ? 'not valid JSON' : ''}
    onInput=${(e) => {
      setText(e.target.value);
      try {
        onValid(JSON.parse(e.target.value));
        setBad(false);
      } catch (err) {
        setBad(true);
      }
    }} />`;
}

function JsonEditor({ label, value, onValid, canEdit }) {
  const [text, setText] = useState(JSON.stringify(value, null, 2));
  const [error, setError] = useState(null);
  useEffect(() => {
    try {
      if (JSON.stringify(JSON.parse(text)) !== JSON.stringify(value)) setText(JSON.stringify(value, null, 2));
    } catch (e) {
      // the person is still typing: keep their text
    }
  }, [JSON.stringify(value)]);
  return html`<details><summary>${label}</summary>
    <textarea rows="10" spellcheck="false" disabled=${!canEdit} value=${text} onInput=${(e) => {
      setText(e.target.value);
      try {
        const parsed = JSON.parse(e.target.value);
        if (!Array.isArray(parsed)) throw new Error('rules are a JSON list: [ {...}, ... ]');
        setError(null);
        onValid(parsed);
      } catch (err) {
        setError(err.message);
      }
    }}></textarea>
    ${error ? html`<p class="error small">${error}</p>` : html`<p class="muted small">The server checks the rules when you save.</p>`}
  </details>`;
}

function describeRule(rule) {
  const parts = [];
  for (const c of rule.constraints || []) {
    parts.push(`${c.attribute} ${c.negate ? 'not ' : ''}${c.operator.replace(/_/g, ' ')} ${c.values.join(', ')}`);
  }
  for (const s of rule.segments || []) parts.push(`in segment ${s}`);
  const who = parts.length ? parts.join(' and ') : 'everyone';
  const share = rule.rollout != null && rule.rollout < 100 ? `${rule.rollout} % of ` : '';
  const serve = rule.serve.split
    ? 'split ' + rule.serve.split.map((s) => `${s.variant} ${s.weight} %`).join(' / ')
    : rule.serve.variant;
  return html`${rule.description ? html`<strong>${rule.description}</strong>: ` : ''}${share}${who} → ${serve}`;
}

function FlagStatus({ flagKey, environment, version }) {
  const status = useApi(`/api/feature-flags/${seg(flagKey)}/status?environment=${encodeURIComponent(environment)}&v=${version}`, 15000);
  if (!status.data) return null;
  const s = status.data;
  return html`<p class="muted small" data-testid="flag-status">Now: ${s.enabled ? 'on' : 'off'}, ${s.rollout_percentage} % rollout, ${s.active_users} active users in the last hour${Object.keys(s.variants || {}).length
      ? ' (' + Object.entries(s.variants).map(([k, n]) => `${k}: ${n}`).join(', ') + ' evaluations)' : ''}.</p>`;
}
