// Signing in: a user name and password, or on first start the admin's API token printed by the server.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorBox, html } from '../ui.js';

export function Login({ onSignedIn }) {
  const [withToken, setWithToken] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = withToken
      ? { token: form.get('token').trim() }
      : { name: form.get('name').trim(), password: form.get('password') };
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api('POST', '/api/session', { body }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return html`<main class="login">
    <section class="card">
      <h1>Gantry</h1>
      <form onSubmit=${submit} aria-label="Sign in">
        ${withToken ? html`
          <label>API token<input name="token" type="password" autocomplete="off" placeholder="gty_…" required /></label>
          <p class="muted small">On its first start the server prints the <code>admin</code> user's token once. Sign in with it, then set a password under your account.</p>`
        : html`
          <label>User name<input name="name" autocomplete="username" required autofocus /></label>
          <label>Password<input name="password" type="password" autocomplete="current-password" required /></label>`}
        <button type="submit" class="primary" disabled=${busy} aria-busy=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
      <${ErrorBox} error=${error} />
      <button type="button" class="link" onClick=${() => { setWithToken(!withToken); setError(null); }}>
        ${withToken ? 'Sign in with a password instead' : 'First start? Sign in with an API token'}
      </button>
    </section>
  </main>`;
}
