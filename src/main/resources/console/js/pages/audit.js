import { get } from '../api.js';
import { h, clear, table, emptyState, pageHeader, time } from '../ui.js';

const ACTIONS = {
  'org.created': 'Org created',
  'org.settings-changed': 'Settings changed',
  'anonymization.requested': 'Anonymization requested',
  'archive.anonymized-and-deleted': 'Records anonymized and deleted',
  'key.created': 'API key created',
  'key.revoked': 'API key revoked',
};

/** Audit log: who (platform or a key's prefix) changed what in this org, newest first, page by page. */
export async function render(ctx) {
  const results = h('section', { class: 'panel', id: 'audit' });
  let entries = [];
  let next = null;
  const load = async (more) => {
    const page = await get(`/v1/orgs/${encodeURIComponent(ctx.org)}/audit`, { limit: 50, cursor: more ? next : undefined });
    entries = more ? entries.concat(page.items) : page.items;
    next = page.next;
    draw();
  };
  const columns = [
    { label: 'When', render: (e) => time(e.at) },
    { label: 'Who', render: (e) => e.actor === 'platform' ? 'Platform admin' : h('span', { class: 'mono' }, e.actor) },
    { label: 'What', render: (e) => h('strong', {}, ACTIONS[e.action] || e.action) },
    { label: 'Details', class: 'content', render: (e) => details(e.details) },
  ];
  const draw = () => clear(results, entries.length
    ? [table(columns, entries.map((e) => ({ ...e, dataset: { action: e.action } })), { caption: 'Audit log' }),
      next ? h('div', { class: 'actions center' }, h('button', { type: 'button', class: 'button', onclick: () => load(true) }, 'Load more')) : null]
    : emptyState('No audit entries yet', 'Settings changes, anonymization requests, deletions and key changes are listed here.'));
  await load(false);
  return h('div', {}, pageHeader('Audit log', 'Who changed settings, asked for anonymization, deleted records or managed keys'), results);
}

/** The entry's details as "name: value" pairs; the API never puts a person's number or email in them. */
function details(value) {
  if (!value || typeof value !== 'object' || !Object.keys(value).length) return '—';
  return h('dl', { class: 'facts compact' }, Object.entries(value).flatMap(([name, v]) => [
    h('dt', {}, name), h('dd', {}, text(v))]));
}

function text(v) {
  if (Array.isArray(v)) return v.length ? v.join(', ') : '—';
  if (v && typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k} = ${text(x)}`).join(', ') || '—';
  return String(v);
}
