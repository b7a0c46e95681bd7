// Talks to the server's REST API with the session cookie. Unsafe methods carry the session's CSRF token; an error
// answer becomes an ApiError whose message is the server's own, which is written for people.

let csrfToken = null;
let onSignedOut = () => {};

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

export function setSession(session) {
  csrfToken = session ? session.csrf_token : null;
}

/** Called when the server says the session is gone, so the UI can show the sign-in page. */
export function whenSignedOut(callback) {
  onSignedOut = callback;
}

/** The answer of GET /api/session that index.html asked for before this script loaded, read like any other. */
export function earlySession() {
  const asked = window.gantrySession;
  delete window.gantrySession;
  return asked ? asked.then((response) => answer('GET', '/api/session', response)) : api('GET', '/api/session');
}

export async function api(method, path, { body, headers = {}, raw = false } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) {
    init.headers['X-CSRF-Token'] = csrfToken;
  }
  if (body instanceof Blob || body instanceof ArrayBuffer) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'unreachable', 'The server did not answer: ' + e.message + '. Is it running?');
  }
  if (raw && response.ok) {
    return response;
  }
  return answer(method, path, response);
}

/** The JSON of an answer, or an ApiError in the server's words. */
async function answer(method, path, response) {
  const text = await response.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch (e) {
      json = null;
    }
  }
  if (!response.ok) {
    const code = json && json.error ? json.error : 'http_' + response.status;
    const message = json && json.message ? json.message : `${method} ${path} failed with HTTP ${response.status}`;
    if (response.status === 401 && path !== '/api/session') {
      onSignedOut();
    }
    throw new ApiError(response.status, code, message, json && json.details);
  }
  return json;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, { body });
export const put = (path, body, headers) => api('PUT', path, { body, headers });
export const del = (path) => api('DELETE', path);

/** Encodes one path segment (ids of plugins may hold characters a URL cannot). */
export const seg = (value) => encodeURIComponent(value);
