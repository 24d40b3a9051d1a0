// Small DOM helpers: the console builds its pages from these, never from HTML strings (no injection, no inline code).

/** h('button', {class: 'primary', onclick: fn}, 'Save') */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let ids = 0;

/** A labelled input with a hint and an error slot the API's problem+json fills (data-field = the API's name). */
export function field(label, input, hint) {
  const id = input.id || `f${++ids}`;
  input.id = id;
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  input.setAttribute('aria-describedby', [hintEl && hintEl.id, error.id].filter(Boolean).join(' '));
  return h('div', { class: 'field', dataset: { field: input.name } }, h('label', { for: id }, label), input, hintEl, error);
}

/** A checkbox shown as a switch, with its explanation; the input's name is the API's member. */
export function toggle(name, label, description, checked) {
  const input = h('input', { type: 'checkbox', role: 'switch', name, checked: !!checked, id: `f${++ids}` });
  const error = h('p', { class: 'field-error', id: `${input.id}-error`, hidden: true });
  input.setAttribute('aria-describedby', `${input.id}-desc ${error.id}`);
  return h('div', { class: 'field toggle', dataset: { field: name } },
    h('label', { for: input.id, class: 'toggle-row' }, input, h('span', { class: 'switch', 'aria-hidden': 'true' }),
      h('span', { class: 'toggle-text' }, h('strong', {}, label), h('span', { class: 'hint', id: `${input.id}-desc` }, description))),
    error);
}

/** Clears the form's errors, then shows the problem next to its field, or at the top of the form. */
export function showProblem(form, problem) {
  clearErrors(form);
  const slot = problem.field && form.querySelector(`[data-field="${CSS.escape(problem.field)}"] .field-error`);
  if (slot) {
    slot.textContent = problem.detail || problem.message;
    slot.hidden = false;
    const input = slot.parentElement.querySelector('input, select, textarea');
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
    return;
  }
  let alert = form.querySelector('.form-alert');
  if (!alert) {
    alert = h('div', { class: 'form-alert' });
    form.prepend(alert);
  }
  clear(alert, problemText(problem));
  alert.hidden = false;
  alert.setAttribute('role', 'alert');
}

export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((el) => { el.hidden = true; el.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  form.querySelectorAll('.form-alert').forEach((el) => { el.hidden = true; });
}

export function problemText(problem) {
  const detail = problem.detail && problem.detail !== problem.title ? problem.detail : '';
  const title = problem.title || problem.message;
  return h('span', {}, h('strong', {}, title), detail ? ` — ${detail}` : '',
    problem.requestId ? h('span', { class: 'muted' }, ` (request ${problem.requestId})`) : '');
}

/** A page-level error panel. */
export function errorPanel(problem) {
  return h('div', { class: 'panel error-panel', role: 'alert' }, problemText(problem));
}

export function toast(message, kind = 'ok') {
  const box = document.getElementById('toasts');
  const el = h('div', { class: `toast ${kind}` }, message);
  box.append(el);
  setTimeout(() => el.remove(), 5000);
}

/** A modal confirmation; resolves true when confirmed. Escape and Cancel resolve false. */
export function confirmDialog({ title, body, confirmLabel, danger }) {
  return new Promise((resolve) => {
    const cancel = h('button', { type: 'button', class: 'button' }, 'Cancel');
    const ok = h('button', { type: 'button', class: danger ? 'button danger' : 'button primary' }, confirmLabel);
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'dialog-title' },
      h('h2', { id: 'dialog-title' }, title), h('div', { class: 'dialog-body' }, body), h('div', { class: 'actions' }, cancel, ok));
    const done = (value) => { dialog.close(); dialog.remove(); resolve(value); };
    cancel.addEventListener('click', () => done(false));
    ok.addEventListener('click', () => done(true));
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); done(false); });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

export function emptyState(title, text, action) {
  return h('div', { class: 'empty' }, h('div', { class: 'empty-icon', 'aria-hidden': 'true' }, '∅'), h('h3', {}, title), h('p', {}, text), action);
}

/** A table that turns into stacked cards below 640 px (each cell labelled by its column). */
export function table(columns, rows, { caption } = {}) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
    caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)))),
    h('tbody', {}, rows.map((row) => h('tr', { dataset: row.dataset || {} },
      columns.map((c) => h('td', { class: c.class, dataset: { label: c.label } }, c.render(row))))))));
}

/** "1 record", "3 records". */
export function count(n, singular, plural = `${singular}s`) {
  return `${n} ${n === 1 ? singular : plural}`;
}

export function badge(text, kind) {
  return h('span', { class: `badge ${kind || ''}` }, text);
}

export function time(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return h('time', { datetime: iso, title: iso }, date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }));
}

export function pageHeader(title, subtitle, ...actions) {
  return h('header', { class: 'page-header' },
    h('div', {}, h('h1', { tabindex: '-1' }, title), subtitle ? h('p', { class: 'muted' }, subtitle) : null),
    actions.length ? h('div', { class: 'actions' }, actions) : null);
}

export function button(label, onclick, cls = 'button', type = 'button') {
  return h('button', { type, class: cls, onclick }, label);
}

/** Disables a form's controls while its request runs; re-enables them after. */
export async function busy(form, work) {
  const controls = [...form.querySelectorAll('button, input, select, textarea')].filter((el) => !el.disabled);
  controls.forEach((el) => { el.disabled = true; });
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    controls.forEach((el) => { el.disabled = false; });
    form.removeAttribute('aria-busy');
  }
}
