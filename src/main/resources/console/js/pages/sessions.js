import { get, del } from '../api.js';
import { h, table, emptyState, pageHeader, confirmDialog, toast, time, errorPanel, button, badge } from '../ui.js';

/** Sessions: the org's open tasks (numbers masked by the API), each closable. */
export async function render(ctx) {
  const container = h('div', {});
  await fill(container, ctx);
  return container;
}

async function fill(container, ctx) {
  const { items } = await get('/v1/sessions', { orgId: ctx.org });
  const close = async (session) => {
    const ok = await confirmDialog({
      title: `Close task ${session.taskId}?`,
      body: h('p', {}, 'The driver and recipient can no longer reach each other through ', h('span', { class: 'mono' }, session.proxyNumber || 'their numbers'),
        '. After-task rules apply from now on.'),
      confirmLabel: 'Close session', danger: true,
    });
    if (!ok) return;
    try {
      await del(`/v1/sessions/${encodeURIComponent(session.taskId)}`);
      toast(`Session ${session.taskId} closed`);
      await fill(container, ctx);
    } catch (problem) {
      container.prepend(errorPanel(problem));
    }
  };
  const columns = [
    { label: 'Task', render: (s) => h('strong', {}, s.taskId) },
    { label: 'Proxy number', render: (s) => s.proxyNumber ? h('span', { class: 'mono' }, s.proxyNumber) : badge('not anonymized', 'muted') },
    { label: 'Driver', render: (s) => h('span', { class: 'mono' }, s.driver.phone) },
    { label: 'Recipient', render: (s) => h('span', { class: 'mono' }, s.recipient.phone) },
    { label: 'Opened', render: (s) => time(s.openedAt) },
    { label: '', class: 'row-actions', render: (s) => ctx.canChange ? button('Close', () => close(s), 'button small danger-outline') : '' },
  ];
  container.replaceChildren(
    pageHeader('Sessions', 'Open tasks: who can reach whom right now', button('Refresh', () => fill(container, ctx), 'button small')),
    h('section', { class: 'panel' }, items.length ? table(columns, items.map((s) => ({ ...s, dataset: { task: s.taskId } })), { caption: 'Open sessions' })
      : emptyState('No open sessions', 'Sessions open when your dispatch system starts a task (POST /v1/sessions).')));
}
