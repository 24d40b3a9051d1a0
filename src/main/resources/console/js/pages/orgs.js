import { get, put, post, del } from '../api.js';
import { h, clear, field, showProblem, clearErrors, busy, table, emptyState, pageHeader, toast, confirmDialog, errorPanel, badge, time } from '../ui.js';

/** Orgs (platform token only): every org, create one, and manage an org's API keys. */
export async function render(ctx) {
  const { items } = await get('/v1/orgs');
  const keysPanel = h('section', { class: 'panel', id: 'keys', hidden: true });

  const form = h('form', { class: 'panel form', id: 'create-org', novalidate: true },
    h('h2', {}, 'Create an organization'),
    h('div', { class: 'grid-3' },
      field('Org id', h('input', { name: 'orgId', placeholder: 'acme-deliveries', autocomplete: 'off' }), 'Letters, digits, . _ - (used in the API).'),
      field('Name', h('input', { name: 'name', placeholder: 'Acme Deliveries' })),
      field('Email', h('input', { name: 'email', type: 'email', placeholder: 'ops@acme.example' }), 'Where post-task messages go (or set an admin phone later).'),
      field('Country', h('input', { name: 'country', maxlength: 2, placeholder: 'NO', class: 'short' }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary', id: 'create-org-button' }, 'Create')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const orgId = form.elements.orgId.value.trim();
    if (!orgId) {
      showProblem(form, { field: 'orgId', detail: 'Give the org an id.' });
      return;
    }
    if (ctx.orgs.some((o) => o.orgId === orgId)) {
      showProblem(form, { field: 'orgId', detail: `${orgId} exists already.` });
      return;
    }
    await busy(form, async () => {
      try {
        await put(`/v1/orgs/${encodeURIComponent(orgId)}`, { name: form.elements.name.value.trim(), email: form.elements.email.value.trim() || null, country: form.elements.country.value.trim() || null });
        clearErrors(form);
        toast(`Org ${orgId} created`);
        await ctx.orgsChanged(orgId);
      } catch (problem) {
        showProblem(form, problem.field ? problem : { ...problem, field: problem.status === 404 || /orgId/.test(problem.detail || '') ? 'orgId' : null });
      }
    });
  });

  const showKeys = async (org) => {
    keysPanel.hidden = false;
    clear(keysPanel, h('h2', {}, `API keys of ${org.name}`), h('p', { class: 'loading' }, 'Loading…'));
    let keys;
    try {
      keys = (await get(`/v1/orgs/${encodeURIComponent(org.orgId)}/keys`)).items;
    } catch (problem) {
      clear(keysPanel, h('h2', {}, `API keys of ${org.name}`), errorPanel(problem));
      return;
    }
    const create = async (role) => {
      try {
        const created = await post(`/v1/orgs/${encodeURIComponent(org.orgId)}/keys`, { role });
        await showKeys(org);
        keysPanel.insertBefore(h('div', { class: 'secret-once', role: 'alert' },
          h('p', {}, h('strong', {}, `New ${role} key — copy it now, it is shown only once:`)),
          h('code', { class: 'secret', id: 'new-key-secret' }, created.secret)), keysPanel.children[1]);
      } catch (problem) {
        keysPanel.prepend(errorPanel(problem));
      }
    };
    const revoke = async (key) => {
      const ok = await confirmDialog({ title: `Revoke key ${key.prefix}?`, body: h('p', {}, 'Anything using this key, including console sessions, stops working at once.'),
        confirmLabel: 'Revoke key', danger: true });
      if (!ok) return;
      try {
        await del(`/v1/orgs/${encodeURIComponent(org.orgId)}/keys/${encodeURIComponent(key.prefix)}`);
        toast(`Key ${key.prefix} revoked`);
        await showKeys(org);
      } catch (problem) {
        keysPanel.prepend(errorPanel(problem));
      }
    };
    const columns = [
      { label: 'Key', render: (k) => h('span', { class: 'mono' }, `${k.prefix}…`) },
      { label: 'Role', render: (k) => badge(k.role, k.role === 'admin' ? 'ok' : 'muted') },
      { label: 'Created', render: (k) => time(k.createdAt) },
      { label: '', class: 'row-actions', render: (k) => h('button', { type: 'button', class: 'button small danger-outline', onclick: () => revoke(k) }, 'Revoke') },
    ];
    clear(keysPanel, h('h2', {}, `API keys of ${org.name}`),
      keys.length ? table(columns, keys, { caption: 'API keys' }) : emptyState('No keys', 'Create a key for the org’s admins or viewers.'),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button', id: 'new-viewer-key', onclick: () => create('viewer') }, 'New viewer key'),
        h('button', { type: 'button', class: 'button primary', id: 'new-admin-key', onclick: () => create('admin') }, 'New admin key')));
  };

  const columns = [
    { label: 'Org', render: (o) => h('span', {}, h('strong', {}, o.name), h('br', {}), h('span', { class: 'mono muted' }, o.orgId)) },
    { label: 'Anonymize', render: (o) => badge(o.anonymize ? 'on' : 'off', o.anonymize ? 'ok' : 'muted') },
    { label: 'Country', render: (o) => o.country || '—' },
    { label: '', class: 'row-actions', render: (o) => h('span', { class: 'row-buttons' },
      h('button', { type: 'button', class: 'button small', onclick: () => { ctx.selectOrg(o.orgId); window.location.hash = '#/settings'; } }, 'Open'),
      h('button', { type: 'button', class: 'button small', dataset: { keysFor: o.orgId }, onclick: () => showKeys(o) }, 'Keys')) },
  ];
  return h('div', {}, pageHeader('Organizations', 'Every org on this gateway'),
    h('section', { class: 'panel' }, items.length ? table(columns, items.map((o) => ({ ...o, dataset: { org: o.orgId } })), { caption: 'Organizations' })
      : emptyState('No organizations', 'Create the first one below.')),
    form, keysPanel);
}
