import { get, post } from '../api.js';
import { h, count, clear, field, showProblem, clearErrors, busy, table, emptyState, pageHeader, confirmDialog, toast, time, badge, errorPanel } from '../ui.js';

const PAGE_SIZE = 25;

/** Archive → Search: filters as the API takes them, newest first, page by page; select records to anonymize and delete. */
export async function render(ctx) {
  const selected = new Map();
  let records = [];
  let next = null;
  let query = null;

  const input = (name, attrs = {}) => h('input', { name, ...attrs });
  const form = h('form', { class: 'panel form filters', id: 'archive-search', novalidate: true, role: 'search' },
    h('div', { class: 'grid-3' },
      field('Phone', input('phone', { type: 'tel', inputmode: 'tel', placeholder: '+47 912 34 567' })),
      field('Email', input('email', { type: 'email', placeholder: 'name@example.com' })),
      field('Task', input('taskId', { placeholder: 'task-1042' })),
      field('Channel', h('select', { name: 'channel' }, h('option', { value: '' }, 'Any'), h('option', { value: 'sms' }, 'SMS'),
        h('option', { value: 'voice' }, 'Call'), h('option', { value: 'email' }, 'Email'))),
      field('From date', input('since', { type: 'date' })),
      field('To date (inclusive)', input('until', { type: 'date' }))),
    h('div', { class: 'actions' }, h('button', { type: 'reset', class: 'button' }, 'Clear'),
      h('button', { type: 'submit', class: 'button primary', id: 'search' }, 'Search')));
  const results = h('section', { class: 'panel', id: 'archive-results', 'aria-live': 'polite' });
  const selectionBar = h('div', { class: 'selection-bar', hidden: true });

  const dayAfter = (date) => {
    if (!date) return '';
    const d = new Date(`${date}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  };

  const search = async (more) => {
    const params = more ? { ...query, cursor: next } : {
      orgId: ctx.org, phone: form.elements.phone.value.trim(), email: form.elements.email.value.trim(),
      taskId: form.elements.taskId.value.trim(), channel: form.elements.channel.value,
      since: form.elements.since.value, until: dayAfter(form.elements.until.value), limit: PAGE_SIZE,
    };
    try {
      const page = await get('/v1/archive', params);
      clearErrors(form);
      query = { ...params, cursor: undefined };
      records = more ? records.concat(page.items) : page.items;
      if (!more) selected.clear();
      next = page.next;
      draw();
    } catch (problem) {
      // the "To date" box sends "until"
      showProblem(form, problem);
    }
  };

  const toggleRecord = (record, on) => {
    if (on) selected.set(record.id, record);
    else selected.delete(record.id);
    drawSelection();
  };

  const drawSelection = () => {
    selectionBar.hidden = selected.size === 0 || !ctx.canChange;
    clear(selectionBar, h('span', {}, `${count(selected.size, 'record')} selected`),
      h('button', { type: 'button', class: 'button danger', id: 'anonymize-delete', onclick: anonymizeAndDelete }, 'Anonymize and delete'));
  };

  const anonymizeAndDelete = async () => {
    const chosen = [...selected.values()];
    const ok = await confirmDialog({
      title: `Anonymize and delete ${count(chosen.length, 'record')}?`,
      body: h('div', {},
        h('p', {}, chosen.length === 1 ? 'This record loses' : 'These records lose', ' their message text and call recordings (deleted at the provider too); numbers, emails and variables become “Anonymized”. This cannot be undone.'),
        h('ul', { class: 'confirm-list' }, chosen.map((r) => h('li', {}, `${channelName(r.channel)} · ${new Date(r.startedAt).toLocaleString()} · ${r.from || '—'} → ${r.to || '—'}`,
          r.recordingSid ? ' · recording' : '', r.body ? ' · text' : '')))),
      confirmLabel: 'Anonymize and delete', danger: true,
    });
    if (!ok) return;
    try {
      const done = await post('/v1/archive/anonymize-and-delete', { orgId: ctx.org, ids: chosen.map((r) => r.id) });
      const failed = (done.failed || []).length;
      toast(`${done.anonymized} anonymized, ${done.recordingsDeleted} recordings deleted${failed ? `, ${failed} recordings kept (provider refused; try again)` : ''}`,
        failed ? 'warn' : 'ok');
      await search(false);
    } catch (problem) {
      results.prepend(errorPanel(problem));
    }
  };

  const draw = () => {
    drawSelection();
    if (!records.length) {
      clear(results, emptyState('Nothing found', 'No record matches these filters. Anonymized people cannot be found by their number or email.'));
      return;
    }
    const columns = [
      { label: 'Select', class: 'check', render: (r) => ctx.canChange && !r.anonymized ? h('input', {
        type: 'checkbox', 'aria-label': `Select record ${r.id}`, checked: selected.has(r.id), dataset: { id: r.id },
        onchange: (e) => toggleRecord(r, e.target.checked),
      }) : '' },
      { label: 'When', render: (r) => time(r.startedAt) },
      { label: 'Channel', render: (r) => badge(channelName(r.channel), r.channel) },
      { label: 'From', render: (r) => h('span', { class: 'mono' }, r.from || '—') },
      { label: 'To', render: (r) => h('span', { class: 'mono' }, r.to || '—') },
      { label: 'Routed', render: (r) => r.routedTo || '—' },
      { label: 'Task', render: (r) => r.taskId || '—' },
      { label: 'Content', class: 'content', render: content },
    ];
    clear(results,
      h('p', { class: 'muted', id: 'result-count' }, `${count(records.length, 'record')}${next ? ' so far' : ''}`),
      table(columns, records.map((r) => ({ ...r, dataset: { id: r.id, sid: r.sid } })), { caption: 'Archive records' }),
      next ? h('div', { class: 'actions center' }, h('button', { type: 'button', class: 'button', id: 'load-more', onclick: () => search(true) }, 'Load more')) : null);
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(form, () => search(false));
  });
  form.addEventListener('reset', () => setTimeout(() => busy(form, () => search(false)), 0));
  await search(false);
  return h('div', {}, pageHeader('Archive', 'Every call, text and email of your organization'), form, selectionBar, results);
}

function channelName(channel) {
  return { sms: 'SMS', voice: 'Call', email: 'Email' }[channel] || channel;
}

function content(record) {
  const parts = [];
  if (record.anonymized) parts.push(badge('Anonymized', 'muted'));
  if (record.body) parts.push(h('span', { class: 'body-text' }, record.body));
  if (record.channel === 'voice' && record.durationSeconds != null) parts.push(h('span', { class: 'muted' }, ` ${record.durationSeconds} s`));
  if (record.recordingUrl) parts.push(' ', h('a', { href: record.recordingUrl, target: '_blank', rel: 'noopener noreferrer', class: 'play' }, '▶ Play recording'));
  return parts.length ? parts : '—';
}
