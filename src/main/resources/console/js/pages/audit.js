import { h, pageHeader, emptyState } from '../ui.js';

/** Audit log: who changed what in this org (filled once the API's audit log is there). */
export async function render() {
  return h('div', {}, pageHeader('Audit log', 'Who changed settings, asked for anonymization, deleted records or managed keys'),
    h('section', { class: 'panel' }, emptyState('No audit entries', 'Changes made with org keys or the platform token are listed here.')));
}
