import { get, post } from '../api.js';
import { h, clear, field, showProblem, clearErrors, busy, pageHeader, badge } from '../ui.js';

/** Simulator (dev runs only): send an inbound SMS or call as any phone, through the real, signed webhook path. */
export async function render(ctx) {
  const { items } = await get('/v1/numbers');
  const proxies = h('datalist', { id: 'proxy-numbers' }, items.map((n) => h('option', { value: n.number }, n.orgId ? `dedicated to ${n.orgId}` : 'shared pool')));
  const result = h('section', { class: 'panel', id: 'simulator-result', 'aria-live': 'polite' },
    h('p', { class: 'muted' }, 'The webhook’s answer and the archive record appear here.'));
  const form = h('form', { class: 'panel form', id: 'simulator-form', novalidate: true },
    h('fieldset', { class: 'field segmented', dataset: { field: 'channel' } }, h('legend', {}, 'Send'),
      h('label', {}, h('input', { type: 'radio', name: 'channel', value: 'sms', checked: true }), ' SMS'),
      h('label', {}, h('input', { type: 'radio', name: 'channel', value: 'voice' }), ' Call'),
      h('p', { class: 'field-error', hidden: true })),
    h('div', { class: 'grid-2' },
      field('From (any phone)', h('input', { name: 'from', type: 'tel', inputmode: 'tel', placeholder: '+4792222222' })),
      field('To (a proxy number)', h('input', { name: 'to', type: 'tel', list: 'proxy-numbers', placeholder: items[0] ? items[0].number : '' }))),
    proxies,
    field('Message', h('textarea', { name: 'body', rows: 3, placeholder: 'Hi, I am at the door' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary', id: 'simulate' }, 'Send')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const channel = form.elements.channel.value;
    const body = { channel, from: form.elements.from.value.trim(), to: form.elements.to.value.trim(), orgId: ctx.org };
    if (channel === 'sms') body.body = form.elements.body.value;
    await busy(form, async () => {
      try {
        const outcome = await post('/v1/simulator/inbound', body);
        clearErrors(form);
        drawResult(result, outcome);
      } catch (problem) {
        showProblem(form, problem);
      }
    });
  });
  return h('div', {}, pageHeader('Simulator', 'Play the provider: the message is signed as Twilio signs and goes through the real webhook'),
    h('p', { class: 'notice' }, 'Dev runs only (console.simulator). Nothing is sent to a real phone.'), form, result);
}

function drawResult(result, outcome) {
  const record = outcome.archive;
  const rows = record ? [
    ['Routed to', record.routedTo], ['Forwarded to', record.to], ['From', record.from], ['Proxy number', record.proxyNumber],
    ['Task', record.taskId], ['Status', record.status], ['Record id', record.id],
  ] : [];
  clear(result,
    h('h2', {}, 'Answer ', badge(`HTTP ${outcome.status}`, outcome.status < 300 ? 'ok' : 'warn')),
    h('p', { class: 'muted' }, `${outcome.webhook} · ${outcome.sid}`),
    h('pre', { class: 'code', id: 'twiml' }, outcome.answer),
    h('h2', {}, 'Archive record'),
    record ? h('dl', { class: 'facts', id: 'archive-record' }, rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v == null || v === '' ? '—' : String(v))]))
      : h('p', { class: 'muted' }, 'Not archived yet (the archiver writes within seconds; see Archive → Search).'));
}
