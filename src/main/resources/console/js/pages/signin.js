import { api } from '../api.js';
import { h, field, showProblem, busy } from '../ui.js';

/** Sign-in: an org key (or the platform token) is exchanged once for a session cookie; the page never keeps it. */
export function render({ message, onSignedIn }) {
  const secret = h('input', { type: 'password', name: 'credential', autocomplete: 'current-password', required: true, spellcheck: 'false' });
  const form = h('form', { class: 'signin-form', novalidate: true },
    message ? h('p', { class: 'notice', role: 'status' }, message) : null,
    field('Org API key or platform token', secret, 'Your key is exchanged for a session cookie; it is not stored in the browser.'),
    h('button', { type: 'submit', class: 'button primary wide', id: 'sign-in' }, 'Sign in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const credential = secret.value.trim();
    if (!credential) {
      showProblem(form, { field: 'credential', detail: 'Paste your org API key or the platform token.' });
      return;
    }
    await busy(form, async () => {
      try {
        const session = await api('POST', '/v1/console/session', { bearer: credential });
        secret.value = '';
        await onSignedIn(session);
      } catch (problem) {
        showProblem(form, problem.status === 401
          ? { field: 'credential', detail: 'This key is not valid (or was revoked).' } : problem);
      }
    });
  });
  setTimeout(() => secret.focus(), 0);
  return h('div', { class: 'signin' },
    h('div', { class: 'signin-card' },
      h('div', { class: 'brand big' }, h('img', { src: '/console/favicon.svg', alt: '', width: 40, height: 40 }), h('span', {}, 'Maskline')),
      h('h1', {}, 'Sign in to the console'),
      h('p', { class: 'muted' }, 'Manage how your organization’s drivers and recipients reach each other, and what is kept of it.'),
      form));
}
