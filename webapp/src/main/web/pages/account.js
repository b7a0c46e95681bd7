// Your account: who you are, and your password.
import { useState } from 'preact/hooks';
import { put } from '../api.js';
import { html, useApi, ErrorBox, Loading } from '../ui.js';
import { Tokens } from './users.js';

export function Account({ user }) {
  const me = useApi('/api/users/me');
  return html`<section>
    <h2>Your account</h2>
    <p>Signed in as <strong>${user.name}</strong>, role ${user.role}.</p>
    ${me.data ? html`<${PasswordForm} hasPassword=${me.data.password_set} onChanged=${me.reload} />` : html`<${Loading} />`}
    <h3>Your API tokens</h3>
    <${Tokens} userId=${user.id} />
  </section>`;
}

function PasswordForm({ hasPassword, onChanged }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    if (form.get('new_password') !== form.get('repeat')) {
      setError({ message: 'The two new passwords differ.' });
      return;
    }
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      const body = { new_password: form.get('new_password') };
      if (hasPassword) body.current_password = form.get('current_password');
      await put('/api/users/me/password', body);
      setDone(true);
      event.target.reset();
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="card narrow" onSubmit=${submit} aria-label="Password">
    <h3>${hasPassword ? 'Change your password' : 'Set a password'}</h3>
    ${hasPassword ? '' : html`<p class="muted small">You signed in with a token. Set a password to sign in with your name next time.</p>`}
    ${hasPassword ? html`<label>Current password<input name="current_password" type="password" autocomplete="current-password" required /></label>` : ''}
    <label>New password (at least 10 characters)<input name="new_password" type="password" autocomplete="new-password" minlength="10" required /></label>
    <label>New password again<input name="repeat" type="password" autocomplete="new-password" minlength="10" required /></label>
    <button type="submit" class="primary" disabled=${busy}>${busy ? 'Saving…' : 'Save password'}</button>
    <${ErrorBox} error=${error} />
    ${done ? html`<p class="ok-text" role="status">Password saved. Your other sessions were signed out.</p>` : ''}
  </form>`;
}
