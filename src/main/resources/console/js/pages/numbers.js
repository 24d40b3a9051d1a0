import { get } from '../api.js';
import { h, table, emptyState, pageHeader } from '../ui.js';

/** Numbers: the org's dedicated proxy numbers and the shared pool it falls back on. */
export async function render({ org, principal }) {
  // The shared pool is the platform's: only the platform token lists it; an org key sees its own numbers.
  const platform = principal.kind === 'platform';
  const [dedicated, all] = await Promise.all([get('/v1/numbers', { orgId: org }), platform ? get('/v1/numbers') : { items: [] }]);
  const shared = all.items.filter((n) => !n.orgId);
  const sharedActive = shared.reduce((sum, n) => sum + (n.activeSessions || 0), 0);
  const dedicatedActive = dedicated.items.reduce((sum, n) => sum + (n.activeSessions || 0), 0);
  const columns = [
    { label: 'Number', render: (n) => h('span', { class: 'mono' }, n.number) },
    { label: 'Active sessions', class: 'num', render: (n) => n.activeSessions },
  ];
  return h('div', {},
    pageHeader('Numbers', 'Proxy numbers your drivers and recipients call and text'),
    h('div', { class: 'stats' },
      stat('Dedicated numbers', dedicated.items.length), stat('Sessions on them', dedicatedActive),
      platform ? stat('Shared pool numbers', shared.length) : null, platform ? stat('Sessions on the shared pool', sharedActive) : null),
    h('section', { class: 'panel' }, h('h2', {}, 'Dedicated to this org'),
      dedicated.items.length ? table(columns, dedicated.items, { caption: 'Dedicated numbers' })
        : emptyState('No dedicated numbers', 'Sessions use the shared pool. The platform admin adds numbers with POST /v1/numbers.')),
    h('section', { class: 'panel' }, h('h2', {}, 'Shared pool'),
      h('p', { class: 'muted' }, 'Used when every dedicated number is busy for a party.'),
      !platform ? h('p', {}, 'The shared pool belongs to the platform; its numbers are listed to the platform admin.')
        : shared.length ? table(columns, shared, { caption: 'Shared pool numbers' }) : emptyState('No shared numbers', 'The platform has no shared pool.')));
}

function stat(label, value) {
  return h('div', { class: 'stat' }, h('p', { class: 'stat-value' }, String(value)), h('p', { class: 'stat-label' }, label));
}
