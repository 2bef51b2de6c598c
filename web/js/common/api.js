// The one way pages talk to the API: JSON in and out, RFC 9457 problems turned into ApiError (readable message,
// stable code, field), the session cookie, the CSRF token on state-changing calls, retries of idempotent GETs,
// and a hook that lets a page sign the user in again and retry when the session expired.

import { t, hasKey } from './i18n.js';

const API_BASE = document.querySelector('meta[name="smartregion-api"]')?.content?.replace(/\/$/, '') ?? '';
const CSRF_KEY = 'smartregion.csrf';
const RETRY_STATUSES = new Set([502, 503, 504]);

/**
 * An API error: message is what the server said (detail, else title) — or, when the dictionary words the problem's
 * code (common.apiErrors.<code>), that text in the page's language —, plus its status, code and field.
 */
export class ApiError extends Error {
  constructor(status, problem = {}, fallbackMessage = '') {
    const code = problem.code ?? (status === 0 ? 'network_error' : 'error');
    super(hasKey(`common.apiErrors.${code}`) ? t(`common.apiErrors.${code}`) : problem.detail || problem.title || fallbackMessage || `HTTP ${status}`);
    this.detail = problem.detail ?? null;
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = problem.field ?? null;
    this.problem = problem;
    this.requestId = problem.requestId ?? null;
  }
}

/** The absolute path of an API resource (the base is a <meta name="smartregion-api"> when the API is elsewhere). */
export const apiUrl = (path) => (/^https?:/.test(path) ? path : `${API_BASE}${path}`);

let csrfToken = null;
try { csrfToken = sessionStorage.getItem(CSRF_KEY); } catch { /* ignore */ }

/** Keeps the CSRF token that login and /auth/me return (sent as X-CSRF-Token on POST/PATCH/PUT/DELETE). */
export function setCsrfToken(token) {
  csrfToken = token || null;
  try {
    if (csrfToken) sessionStorage.setItem(CSRF_KEY, csrfToken); else sessionStorage.removeItem(CSRF_KEY);
  } catch { /* ignore */ }
}

let reauthenticate = null;
/**
 * Registers what to do when a call answers 401 (the session expired): a function that signs the user in again
 * (e.g. shows a sign-in dialog) and resolves true when it did. The call is then retried once, so a form the user
 * was filling in is neither lost nor sent twice. A page for signed-in people also gets 404 for its own private
 * datasets once the session is gone (the API does not tell a hidden dataset from a missing one), so after a 404
 * such a page asks /api/v1/auth/me whether the session still exists before believing it.
 */
export function onUnauthenticated(handler) { reauthenticate = handler; }

/** For calls made outside api() (uploads): after a 401/404, signs the user in again when the session is gone. */
export async function reauthenticateAfter(status) {
  if (!reauthenticate || !(status === 401 || (status === 404 && await sessionLost()))) return false;
  return reauthenticate();
}

async function sessionLost() {
  const me = await fetch(apiUrl('/api/v1/auth/me'), { credentials: 'same-origin', headers: { Accept: 'application/json' } }).catch(() => null);
  return me?.status === 401;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * api('/api/v1/datasets', { method: 'POST', body: {...} }) → the parsed JSON (null for 204).
 * Options: method, body (object → JSON; FormData/Blob/string as is), headers, signal, retries (GET only, default 2),
 * raw (return the Response), noReauth (do not ask the user to sign in again on 401).
 */
export async function api(path, options = {}) {
  const method = (options.method ?? 'GET').toUpperCase();
  const idempotent = method === 'GET' || method === 'HEAD';
  const retries = idempotent ? options.retries ?? 2 : 0;
  for (let attempt = 0; ; attempt++) {
    let response;
    try {
      response = await fetch(apiUrl(path), request(method, options));
    } catch (error) {
      if (error.name === 'AbortError') throw error;
      if (attempt < retries) { await sleep(300 * 2 ** attempt); continue; }
      throw new ApiError(0, {}, error.message);
    }
    if (RETRY_STATUSES.has(response.status) && attempt < retries) { await sleep(300 * 2 ** attempt); continue; }
    if (!options.noReauth && reauthenticate && (response.status === 401 || (response.status === 404 && await sessionLost()))) {
      if (await reauthenticate()) return api(path, { ...options, noReauth: true });
    }
    if (!response.ok) throw await toError(response);
    if (options.raw) return response;
    if (response.status === 204) return null;
    const type = response.headers.get('Content-Type') ?? '';
    return type.includes('json') ? response.json() : response.text();
  }
}

function request(method, options) {
  const headers = new Headers(options.headers ?? {});
  if (!headers.has('Accept')) headers.set('Accept', 'application/json, application/problem+json');
  let body = options.body;
  if (body !== undefined && body !== null && !(body instanceof FormData) && !(body instanceof Blob)
      && !(body instanceof ArrayBuffer) && typeof body !== 'string') {
    body = JSON.stringify(body);
    headers.set('Content-Type', 'application/json');
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken && !headers.has('X-CSRF-Token')) headers.set('X-CSRF-Token', csrfToken);
  return { method, headers, body, credentials: 'same-origin', signal: options.signal };
}

/** An ApiError from a failed response: its problem document when it has one. */
export async function toError(response) {
  let problem = {};
  const text = await response.text().catch(() => '');
  try { problem = JSON.parse(text); } catch { problem = { detail: text.slice(0, 300) }; }
  if (!problem || typeof problem !== 'object') problem = {};
  problem.requestId ??= response.headers.get('X-Request-Id');
  return new ApiError(response.status, problem, response.statusText);
}

/**
 * Uploads with progress (fetch cannot report upload progress): XMLHttpRequest with the same cookie, CSRF token and
 * error mapping. onProgress(loadedBytes, totalBytes). Resolves to the parsed JSON; rejects with ApiError
 * (status 0 when the connection broke: the caller may retry the same upload).
 */
export function upload(path, body, { method = 'POST', headers = {}, onProgress, signal } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, apiUrl(path));
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => onProgress?.(e.loaded, e.lengthComputable ? e.total : body.size ?? 0);
    xhr.onload = () => {
      let parsed = null;
      try { parsed = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch { parsed = { detail: xhr.responseText.slice(0, 300) }; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(parsed);
      else reject(new ApiError(xhr.status, { requestId: xhr.getResponseHeader('X-Request-Id'), ...(parsed ?? {}) }, xhr.statusText));
    };
    xhr.onerror = () => reject(new ApiError(0, {}, 'the connection was interrupted'));
    xhr.onabort = () => reject(new ApiError(0, { code: 'aborted' }, 'the upload was cancelled'));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(body);
  });
}
