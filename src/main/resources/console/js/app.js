// The console shell: who is signed in, which org is being looked at, the navigation and the hash router.
import { api, get, del, onSignedOut, setCsrfToken } from './api.js';
import { h, clear, errorPanel } from './ui.js';
import * as signIn from './pages/signin.js';
import * as settings from './pages/settings.js';
import * as numbers from './pages/numbers.js';
import * as sessions from './pages/sessions.js';
import * as archive from './pages/archive.js';
import * as anonymize from './pages/anonymize.js';
import * as audit from './pages/audit.js';
import * as orgs from './pages/orgs.js';
import * as simulator from './pages/simulator.js';

const ORG_KEY = 'maskline.org';

/** Every page: its route, nav label, and who may see it. */
const PAGES = [
  { route: 'settings', label: 'Settings', group: 'Organization', page: settings, needsOrg: true },
  { route: 'numbers', label: 'Numbers', group: 'Organization', page: numbers, needsOrg: true },
  { route: 'sessions', label: 'Sessions', group: 'Organization', page: sessions, needsOrg: true },
  { route: 'archive', label: 'Search', group: 'Archive', page: archive, needsOrg: true },
  { route: 'anonymize', label: 'Anonymize', group: 'Archive', page: anonymize, needsOrg: true },
  { route: 'audit', label: 'Audit log', group: 'Organization', page: audit, needsOrg: true, admins: true },
  { route: 'orgs', label: 'Orgs', group: 'Platform', page: orgs, platform: true },
  { route: 'simulator', label: 'Simulator', group: 'Developer', page: simulator, simulator: true },
];

const state = { session: null, org: null, orgs: [] };
const root = document.getElementById('app');

function visible(page) {
  const principal = state.session.principal;
  if (page.platform && principal.kind !== 'platform') return false;
  if (page.admins && principal.role === 'viewer') return false;
  if (page.simulator && !state.session.simulator) return false;
  return true;
}

async function start() {
  onSignedOut((problem) => showSignIn(state.session ? 'Your session has ended. Sign in again.' : null));
  window.addEventListener('hashchange', () => state.session && route());
  try {
    state.session = await get('/v1/console/session');
  } catch (problem) {
    showSignIn(problem.status === 401 || problem.status === 404 ? null : problem.message);
    return;
  }
  await signedIn(state.session);
}

function showSignIn(message) {
  state.session = null;
  document.getElementById('toasts').replaceChildren();
  setCsrfToken(null);
  document.title = 'Sign in · Maskline console';
  clear(root, signIn.render({ message, onSignedIn: signedIn }));
}

async function signedIn(session) {
  state.session = session;
  setCsrfToken(session.csrfToken);
  const principal = session.principal;
  if (principal.kind === 'platform') {
    try {
      state.orgs = (await get('/v1/orgs')).items;
    } catch (problem) {
      state.orgs = [];
    }
    const remembered = sessionStorage.getItem(ORG_KEY);
    state.org = state.orgs.some((o) => o.orgId === remembered) ? remembered : (state.orgs[0] && state.orgs[0].orgId) || null;
  } else {
    state.org = principal.orgId;
  }
  renderShell();
  route();
}

async function signOut() {
  try {
    await del('/v1/console/session');
  } finally {
    sessionStorage.removeItem(ORG_KEY);
    window.location.hash = '';
    showSignIn('You are signed out.');
  }
}

function selectOrg(orgId) {
  state.org = orgId;
  sessionStorage.setItem(ORG_KEY, orgId);
  route();
}

/** Orgs changed on the Orgs page: refresh the picker. */
async function orgsChanged(selectId) {
  state.orgs = (await get('/v1/orgs')).items;
  if (selectId) selectOrg(selectId);
  renderShell();
  route();
}

function renderShell() {
  const principal = state.session.principal;
  const who = principal.kind === 'platform' ? 'Platform admin'
    : `${principal.role === 'viewer' ? 'Viewer' : 'Admin'} · key ${principal.keyPrefix || ''}`;
  let orgControl;
  if (principal.kind === 'platform') {
    const select = h('select', { id: 'org-picker', 'aria-label': 'Organization', onchange: (e) => selectOrg(e.target.value) },
      state.orgs.map((o) => h('option', { value: o.orgId, selected: o.orgId === state.org }, `${o.name} (${o.orgId})`)));
    orgControl = state.orgs.length ? select : h('span', { class: 'muted' }, 'No orgs yet');
  } else {
    orgControl = h('span', { class: 'org-name', id: 'org-name' }, principal.orgId);
  }
  const groups = [];
  for (const page of PAGES.filter(visible)) {
    let group = groups.find((g) => g.name === page.group);
    if (!group) groups.push(group = { name: page.group, pages: [] });
    group.pages.push(page);
  }
  const nav = h('nav', { class: 'nav', 'aria-label': 'Console' },
    groups.map((g) => h('div', { class: 'nav-group' }, h('p', { class: 'nav-heading' }, g.name),
      h('ul', {}, g.pages.map((p) => h('li', {}, h('a', { href: `#/${p.route}`, dataset: { route: p.route } }, p.label)))))));
  clear(root,
    h('header', { class: 'topbar' },
      h('a', { class: 'brand', href: '#/settings' }, h('img', { src: '/console/favicon.svg', alt: '', width: 28, height: 28 }), h('span', {}, 'Maskline')),
      h('div', { class: 'org-control' }, orgControl),
      h('div', { class: 'who' }, h('span', { class: 'muted', id: 'who' }, who),
        h('button', { type: 'button', class: 'button small', id: 'sign-out', onclick: signOut }, 'Sign out'))),
    h('div', { class: 'layout' }, nav, h('main', { id: 'main', class: 'main', tabindex: '-1' })));
}

let routeGeneration = 0;

async function route() {
  // Only the latest navigation may draw: a slow page must not replace the one asked for after it.
  const generation = ++routeGeneration;
  const hash = window.location.hash;
  const name = (window.location.hash.replace(/^#\/?/, '').split('?')[0]) || (state.org ? 'settings' : 'orgs');
  const page = PAGES.find((p) => p.route === name && visible(p)) || PAGES.find((p) => visible(p) && (!p.needsOrg || state.org));
  root.querySelectorAll('.nav a').forEach((a) => {
    if (a.dataset.route === page.route) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  const main = document.getElementById('main');
  document.title = `${page.label} · Maskline console`;
  if (page.needsOrg && !state.org) {
    clear(main, h('div', { class: 'panel' }, 'Create an organization first (Orgs).'));
    return;
  }
  delete main.dataset.shown;
  clear(main, h('p', { class: 'loading' }, 'Loading…'));
  const ctx = {
    org: state.org, principal: state.session.principal, canChange: state.session.principal.role !== 'viewer',
    orgs: state.orgs, orgsChanged, selectOrg,
  };
  try {
    const view = await page.page.render(ctx);
    if (generation !== routeGeneration) return;
    clear(main, view);
    const heading = main.querySelector('h1');
    if (heading) heading.focus({ preventScroll: true });
  } catch (problem) {
    if (generation !== routeGeneration) return;
    if (problem.status !== 401) clear(main, errorPanel(problem));
  }
  main.dataset.shown = hash;
}

start();
