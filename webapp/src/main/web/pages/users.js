// Users and their tokens (admin): create users, change roles, disable, set passwords; create and revoke tokens.
import { useState } from 'preact/hooks';
import { api, post, put, del, seg } from '../api.js';
import { html, useApi, ActionButton, ErrorBox, Loading, Empty, Time } from '../ui.js';

const ROLES = ['viewer', 'developer', 'deployer', 'admin'];

export function Users({ user: me }) {
  const users = useApi('/api/users');
  const [selected, setSelected] = useState(null);
  return html`<section>
    <h2>Users</h2>
    <${NewUser} onCreated=${users.reload} />
    <${ErrorBox} error=${users.error} />
    ${users.loading ? html`<${Loading} />` : html`<table class="list users">
      <thead><tr><th>Name</th><th>Role</th><th>Password</th><th>Created</th><th></th></tr></thead>
      <tbody>${users.data.users.map((u) => html`<tr class=${u.disabled ? 'disabled' : ''}>
        <td>${u.name}${u.disabled ? html` <span class="badge muted">disabled</span>` : ''}</td>
        <td><select value=${u.role} disabled=${u.id === me.id} aria-label=${'role of ' + u.name}
          onChange=${(e) => api('PATCH', `/api/users/${seg(u.id)}`, { body: { role: e.target.value } }).then(users.reload, (err) => alert(err.message))}>
          ${ROLES.map((r) => html`<option>${r}</option>`)}</select></td>
        <td>${u.password_set ? 'set' : html`<span class="muted">none</span>`}</td>
        <td><${Time} at=${u.created_at} /></td>
        <td class="actions">
          <button type="button" class="link" onClick=${() => setSelected(selected === u.id ? null : u.id)}>tokens & password</button>
          ${u.id !== me.id ? html`<${ActionButton} action=${() => api('PATCH', `/api/users/${seg(u.id)}`, { body: { disabled: !u.disabled } })}
            onDone=${users.reload} confirm=${u.disabled ? null : `Disable ${u.name}? Their sessions and tokens stop working at once.`}>
            ${u.disabled ? 'Enable' : 'Disable'}</${ActionButton}>` : ''}
        </td></tr>
        ${selected === u.id ? html`<tr class="detail"><td colspan="5">
          <${SetPassword} user=${u} onDone=${users.reload} />
          <h4>Tokens of ${u.name}</h4><${Tokens} userId=${u.id} /></td></tr>` : ''}`)}</tbody></table>`}
  </section>`;
}

function NewUser({ onCreated }) {
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    setError(null);
    try {
      await post('/api/users', { name: form.get('name').trim(), role: form.get('role') });
      event.target.reset();
      onCreated();
    } catch (e) {
      setError(e);
    }
  };
  return html`<form class="filters" onSubmit=${submit} aria-label="New user">
    <label>New user<input name="name" placeholder="name" required /></label>
    <label>Role<select name="role">${ROLES.map((r) => html`<option>${r}</option>`)}</select></label>
    <button type="submit">Create</button>
    <${ErrorBox} error=${error} />
  </form>`;
}

function SetPassword({ user, onDone }) {
  const [error, setError] = useState(null);
  const [done, setDone] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    setError(null);
    try {
      await put(`/api/users/${seg(user.id)}/password`, { new_password: new FormData(event.target).get('new_password') });
      setDone(true);
      event.target.reset();
      onDone();
    } catch (e) {
      setError(e);
    }
  };
  return html`<form class="filters" onSubmit=${submit} aria-label=${'Password of ' + user.name}>
    <label>${user.password_set ? 'Reset' : 'Set'} ${user.name}'s password<input name="new_password" type="password"
      autocomplete="new-password" minlength="10" required /></label>
    <button type="submit">Save</button>
    <${ErrorBox} error=${error} />
    ${done ? html`<span class="ok-text">Saved; their sessions were signed out.</span>` : ''}
  </form>`;
}

/** One user's API tokens: created ones show their secret once. */
export function Tokens({ userId }) {
  const tokens = useApi('/api/tokens?user_id=' + encodeURIComponent(userId));
  const [created, setCreated] = useState(null);
  const [error, setError] = useState(null);
  const create = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const days = form.get('days');
    setError(null);
    try {
      setCreated(await post('/api/tokens', { name: form.get('name').trim(), user_id: userId,
        ...(days ? { expires_in_days: Number(days) } : {}) }));
      event.target.reset();
      tokens.reload();
    } catch (e) {
      setError(e);
    }
  };
  return html`<div class="tokens">
    ${tokens.loading ? html`<${Loading} />` : tokens.data && tokens.data.tokens.length === 0 ? html`<${Empty}>No token.</${Empty}>`
      : tokens.data ? html`<table class="list small">
      <thead><tr><th>Name</th><th>Starts with</th><th>Created</th><th>Last used</th><th>Expires</th><th></th></tr></thead>
      <tbody>${tokens.data.tokens.map((t) => html`<tr class=${t.revoked_at ? 'disabled' : ''}>
        <td>${t.name}</td><td><code>${t.prefix}…</code></td><td><${Time} at=${t.created_at} /></td>
        <td><${Time} at=${t.last_used_at} /></td><td>${t.expires_at ? new Date(t.expires_at).toLocaleDateString() : 'never'}</td>
        <td>${t.revoked_at ? html`<span class="muted">revoked</span>` : html`<${ActionButton} kind="danger"
          action=${() => del('/api/tokens/' + seg(t.id))} onDone=${tokens.reload}
          confirm=${`Revoke ${t.name}? Whatever uses it gets 401 from now on.`}>Revoke</${ActionButton}>`}</td></tr>`)}</tbody>
    </table>` : ''}
    <${ErrorBox} error=${tokens.error || error} />
    ${created ? html`<p class="ok-text" role="status">New token <strong>${created.name || ''}</strong>: <code class="secret">${created.token}</code>
      — copy it now, it is not shown again.</p>` : ''}
    <form class="filters" onSubmit=${create} aria-label="New token">
      <label>New token<input name="name" placeholder="ci, laptop…" required /></label>
      <label>Expires in days<input name="days" type="number" min="1" max="3650" placeholder="never" /></label>
      <button type="submit">Create token</button>
    </form>
  </div>`;
}
