import { get, post } from '../api.js';
import { h, count, clear, field, showProblem, clearErrors, busy, table, emptyState, pageHeader, toast, time, badge, errorPanel } from '../ui.js';

/** Archive → Anonymize: ask for people to be forgotten; the next run does it and reports per row. */
export async function render(ctx) {
  const list = h('section', { class: 'panel', id: 'requests', 'aria-live': 'polite' });
  const scheduleBox = h('div', { class: 'panel schedule', id: 'schedule' });

  const refresh = async () => {
    const [{ items }, schedule] = await Promise.all([
      get('/v1/anonymization-requests', { orgId: ctx.org }), get('/v1/anonymizer/schedule')]);
    drawSchedule(schedule);
    drawList(items);
  };

  const drawSchedule = (schedule) => clear(scheduleBox,
    h('div', {}, h('p', { class: 'stat-label' }, 'Next scheduled run'),
      h('p', { class: 'stat-value small', id: 'next-run' }, schedule.nextRunAt ? time(schedule.nextRunAt) : 'none scheduled'),
      h('p', { class: 'muted' }, `Schedule ${schedule.schedule} (${schedule.timezone}). Waiting requests are done by the next run.`)),
    ctx.canChange ? h('button', { type: 'button', class: 'button', id: 'run-now', onclick: runNow }, 'Run now') : null);

  const drawList = (items) => {
    if (!items.length) {
      clear(list, h('h2', {}, 'Requests'), emptyState('No requests', 'Add a phone number or email above; the next run anonymizes it everywhere in your archive.'));
      return;
    }
    const columns = [
      { label: 'Phone', render: (r) => h('span', { class: 'mono' }, r.phone || '—') },
      { label: 'Email', render: (r) => h('span', { class: 'mono' }, r.email || '—') },
      { label: 'Scope', render: (r) => r.scope.map((s) => (s === 'raw' ? 'Raw data' : 'Archive')).join(' + ') + (r.deleteRecordingsAndBodies ? ', delete content' : '') },
      { label: 'Status', render: (r) => badge(r.status === 'DONE' ? 'Done' : 'Waiting', r.status === 'DONE' ? 'ok' : 'wait') },
      { label: 'Asked', render: (r) => time(r.createdAt) },
      { label: 'Report', class: 'content', render: report },
    ];
    clear(list, h('h2', {}, 'Requests'), h('p', { class: 'muted' }, 'Kept 12 months. Done rows show the person masked.'),
      table(columns, items.map((r) => ({ ...r, dataset: { id: r.id, status: r.status } })), { caption: 'Anonymization requests' }));
  };

  const runNow = async (event) => {
    const button = event.target;
    button.disabled = true;
    button.textContent = 'Running…';
    try {
      const { runId } = await post('/v1/anonymizer/runs', {});
      let run;
      for (let i = 0; i < 120; i++) {
        run = await get(`/v1/anonymizer/runs/${runId}`);
        if (run.status !== 'running') break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      toast(run.status === 'done' ? `Run finished: ${count(run.requestsDone, 'request')} done` : `Run ${run.status}`,
        run.status === 'done' ? 'ok' : 'warn');
      await refresh();
    } catch (problem) {
      list.prepend(errorPanel(problem));
      button.disabled = false;
      button.textContent = 'Run now';
    }
  };

  const form = h('form', { class: 'panel form', id: 'anonymize-form', novalidate: true },
    h('h2', {}, 'Add a person'),
    h('div', { class: 'grid-2' },
      field('Phone', h('input', { name: 'phone', type: 'tel', inputmode: 'tel', placeholder: '+47 912 34 567' }), 'Any way the API reads numbers.'),
      field('Email', h('input', { name: 'email', type: 'email', placeholder: 'name@example.com' }))),
    h('fieldset', { class: 'field', dataset: { field: 'scope' } }, h('legend', {}, 'Scope'),
      h('label', { class: 'check-row' }, h('input', { type: 'checkbox', name: 'scope-archive', value: 'archive', checked: true }), ' Archive'),
      h('label', { class: 'check-row' }, h('input', { type: 'checkbox', name: 'scope-raw', value: 'raw' }), ' Raw data (the provider’s payloads as received)'),
      h('p', { class: 'field-error', hidden: true })),
    h('label', { class: 'check-row', dataset: { field: 'deleteRecordingsAndBodies' } },
      h('input', { type: 'checkbox', name: 'deleteRecordingsAndBodies' }), ' Also delete message texts and recordings'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary', id: 'add-request' }, 'Add request')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const scope = ['scope-archive', 'scope-raw'].filter((n) => form.elements[n].checked).map((n) => form.elements[n].value);
    const body = {
      orgId: ctx.org, phone: form.elements.phone.value.trim() || null, email: form.elements.email.value.trim() || null,
      deleteRecordingsAndBodies: form.elements.deleteRecordingsAndBodies.checked,
    };
    if (scope.length) body.scope = scope;
    await busy(form, async () => {
      try {
        await post('/v1/anonymization-requests', body);
        clearErrors(form);
        form.reset();
        toast('Request added: waiting for the next run');
        await refresh();
      } catch (problem) {
        showProblem(form, problem);
      }
    });
  });
  await refresh();
  return h('div', {}, pageHeader('Anonymize', 'Forget people: their numbers and emails become “Anonymized” in your archive'),
    scheduleBox, ctx.canChange ? form : null, list);
}

function report(request) {
  if (!request.report) return request.status === 'DONE' ? '—' : h('span', { class: 'muted' }, 'after the next run');
  const r = request.report;
  const parts = [count(r.communications || 0, 'record')];
  if (request.scope.includes('raw')) parts.push(count(r.rawEvents || 0, 'raw payload'));
  parts.push(count(r.historyEntries || 0, 'history entry', 'history entries'));
  if (r.closedSessions) parts.push(count(r.closedSessions, 'closed session'));
  if (request.deleteRecordingsAndBodies) parts.push(`${count(r.bodiesDeleted || 0, 'text')}, ${count(r.recordingsDeleted || 0, 'recording')} deleted`);
  const failed = (r.recordingsFailed || []).length;
  return h('span', {}, parts.join(' · '), failed ? h('span', { class: 'warn-text' }, ` · ${count(failed, 'recording')} kept (provider refused)`) : '',
    request.doneAt ? h('span', { class: 'muted' }, ' · done ', time(request.doneAt)) : '');
}
