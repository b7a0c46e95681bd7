// The UI's shell: who is signed in, the navigation, and which page the address's #fragment names.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, earlySession, setSession, whenSignedOut } from './api.js';
import { hasRole, html } from './ui.js';
import { Login } from './pages/login.js';
import { Dashboard } from './pages/dashboard.js';
import { BuildList, BuildPage } from './pages/builds.js';
import { DeployList, DeployPage } from './pages/deploys.js';
import { Approvals } from './pages/approvals.js';
import { FlagList, FlagPage } from './pages/flags.js';
import { Plugins } from './pages/plugins.js';
import { Audit } from './pages/audit.js';
import { Users } from './pages/users.js';
import { Account } from './pages/account.js';

const ROUTES = [
  [/^\/$/, Dashboard],
  [/^\/builds$/, BuildList],
  [/^\/builds\/([^/]+)$/, BuildPage],
  [/^\/deploys$/, DeployList],
  [/^\/deploys\/([^/]+)$/, DeployPage],
  [/^\/approvals$/, Approvals],
  [/^\/flags$/, FlagList],
  [/^\/flags\/([^/]+)$/, FlagPage],
  [/^\/plugins$/, Plugins, 'admin'],
  [/^\/audit$/, Audit, 'admin'],
  [/^\/users$/, Users, 'admin'],
  [/^\/account$/, Account],
];

const NAV = [
  ['#/', 'Dashboard'], ['#/builds', 'Builds'], ['#/deploys', 'Deploys'], ['#/approvals', 'Approvals'],
  ['#/flags', 'Flags'], ['#/plugins', 'Plugins', 'admin'], ['#/audit', 'Audit', 'admin'], ['#/users', 'Users', 'admin'],
];

// asked by index.html before this script even loaded, since every page waits for it
const sessionAsked = earlySession();

function useHashPath() {
  const read = () => decodeURI(location.hash.replace(/^#/, '').split('?')[0]) || '/';
  const [path, setPath] = useState(read);
  useEffect(() => {
    const changed = () => {
      setPath(read());
      window.scrollTo(0, 0);
    };
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return path;
}

function App() {
  const [session, setSessionState] = useState(undefined); // undefined: asking; null: signed out
  const path = useHashPath();
  const [menuOpen, setMenuOpen] = useState(false);

  const signedIn = (s) => {
    setSession(s);
    setSessionState(s);
  };
  useEffect(() => {
    whenSignedOut(() => signedIn(null));
    sessionAsked.then(signedIn, () => signedIn(null));
  }, []);
  useEffect(() => setMenuOpen(false), [path]);

  if (session === undefined) {
    return html`<main><p class="muted">Loading…</p></main>`;
  }
  if (session === null) {
    return html`<${Login} onSignedIn=${signedIn} />`;
  }
  const user = session.user;
  const signOut = async () => {
    try {
      await api('DELETE', '/api/session');
    } finally {
      signedIn(null);
    }
  };
  let page = html`<section><h2>Not found</h2><p>No page at <code>${path}</code>. <a href="#/">Go to the dashboard</a>.</p></section>`;
  for (const [pattern, Page, role] of ROUTES) {
    const match = path.match(pattern);
    if (match) {
      page = role && !hasRole(user, role)
        ? html`<section><h2>Not allowed</h2><p>This page needs the ${role} role; you have ${user.role}.</p></section>`
        : html`<${Page} key=${path} user=${user} params=${match.slice(1).map(decodeURIComponent)} />`;
      break;
    }
  }
  const current = '#' + (path.split('/').slice(0, 2).join('/') || '/');
  return html`
    <header class="top">
      <a class="brand" href="#/">Gantry</a>
      <button class="menu-toggle" type="button" aria-expanded=${menuOpen} aria-controls="nav"
        onClick=${() => setMenuOpen(!menuOpen)}>Menu</button>
      <nav id="nav" class=${menuOpen ? 'open' : ''}>
        ${NAV.filter(([, , role]) => !role || hasRole(user, role)).map(([href, label]) =>
          html`<a href=${href} class=${href === current ? 'current' : ''}>${label}</a>`)}
      </nav>
      <span class="who">
        <a href="#/account" title="Your account" data-testid="signed-in-user">${user.name}</a>
        <span class="muted"> (${user.role})</span>
        <button type="button" class="link" onClick=${signOut}>Sign out</button>
      </span>
    </header>
    <main>${page}</main>`;
}

render(html`<${App} />`, document.getElementById('app'));
