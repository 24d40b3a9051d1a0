// The console's one way to reach the gateway: same-origin calls to /v1 with the session cookie, the CSRF token on
// every state change, and every error read as the API's problem+json.

let csrfToken = null;
const listeners = new Set();

export function setCsrfToken(token) {
  csrfToken = token;
}

/** Called with the problem when the session is gone (expired, signed out elsewhere, key revoked). */
export function onSignedOut(listener) {
  listeners.add(listener);
}

/** An API error: status, the stable code, the detail and (when the API names one) the field at fault. */
export class Problem extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.code;
    this.title = body && body.title;
    this.detail = body && body.detail;
    this.field = body && body.field;
    this.requestId = body && body.requestId;
  }
}

export async function api(method, path, { body, query, bearer } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, value);
  }
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  else if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    response = await fetch(url, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new Problem(0, { title: 'The gateway did not answer', detail: 'Check the connection and try again.' });
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    data = { title: response.statusText, detail: text.slice(0, 200) };
  }
  if (!response.ok) {
    const problem = new Problem(response.status, data);
    if (response.status === 401 && !bearer) listeners.forEach((listener) => listener(problem));
    throw problem;
  }
  return data;
}

export const get = (path, query) => api('GET', path, { query });
export const post = (path, body) => api('POST', path, { body });
export const put = (path, body) => api('PUT', path, { body });
export const del = (path) => api('DELETE', path);
