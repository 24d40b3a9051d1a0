import { get, put } from '../api.js';
import { h, field, toggle, showProblem, clearErrors, busy, toast, pageHeader } from '../ui.js';

/** Settings → Communications: the org's routing settings, saved as the whole org (PUT), errors from the API. */
export async function render({ org, canChange }) {
  const current = await get(`/v1/orgs/${encodeURIComponent(org)}`);
  const text = (name, value, attrs = {}) => h('input', { name, value: value || '', ...attrs });
  const form = h('form', { class: 'panel form', id: 'settings-form', novalidate: true },
    h('h2', {}, 'Communications'),
    toggle('anonymize', 'Anonymize communication', 'Drivers and recipients reach each other through a proxy number and never see each other’s number.', current.anonymize),
    toggle('routeRecipientsToAdmin', 'Route recipients to Admin', 'Recipients who call or text after the task reach the admin phone instead of the driver.', current.routeRecipientsToAdmin),
    h('div', { class: 'grid-2' },
      field('Admin phone', text('adminPhone', current.adminPhone, { type: 'tel', autocomplete: 'tel', inputmode: 'tel' }),
        'E.164 (+4791234567), 00 + country code, or national in the org’s country.'),
      field('Country', text('country', current.country, { maxlength: 2, autocapitalize: 'characters', class: 'short' }),
        'Two letters (NO, US). National numbers are read in this country.')),
    toggle('adminPhoneAcceptsSms', 'Admin phone accepts SMS', 'Texts meant for the admin go to the admin phone; otherwise to the org email.', current.adminPhoneAcceptsSms),
    field('Org email', text('email', current.email, { type: 'email', autocomplete: 'email' }), 'Where messages go when no phone can take them.'),
    toggle('recordCalls', 'Record calls', 'Calls through proxy numbers are recorded; recordings appear in the archive.', current.recordCalls),
    h('h2', {}, 'Organization'),
    field('Name', text('name', current.name, { autocomplete: 'organization' })),
    canChange ? h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary', id: 'save-settings' }, 'Save changes')) : null);
  if (!canChange) form.querySelectorAll('input').forEach((el) => { el.disabled = true; });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = (name) => form.elements[name].value.trim();
    const checked = (name) => form.elements[name].checked;
    const body = {
      name: value('name'), email: value('email') || null, adminPhone: value('adminPhone') || null,
      adminPhoneAcceptsSms: checked('adminPhoneAcceptsSms'), anonymize: checked('anonymize'),
      routeRecipientsToAdmin: checked('routeRecipientsToAdmin'), recordCalls: checked('recordCalls'), country: value('country') || null,
    };
    await busy(form, async () => {
      try {
        const saved = await put(`/v1/orgs/${encodeURIComponent(org)}`, body);
        clearErrors(form);
        form.elements.adminPhone.value = saved.adminPhone || '';
        form.elements.country.value = saved.country || '';
        form.elements.email.value = saved.email || '';
        toast('Settings saved');
      } catch (problem) {
        showProblem(form, problem);
      }
    });
  });
  return h('div', {}, pageHeader('Settings', `Communications of ${current.name} (${org})`), form);
}
