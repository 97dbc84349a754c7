// app.js -- the dashboard: a hash-routed single page on the REST API.
// Every text from the server goes in through textContent (never
// innerHTML), and every change carries the session's CSRF token.
'use strict';

const LEVELS = ['critical', 'high', 'medium', 'low', 'informational'];
let session = null;

function h(tag, attrs, ...kids) {
  const svg = ['svg', 'rect', 'g', 'text', 'line', 'title'].includes(tag);
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag)
                 : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const kid of kids.flat()) {
    if (kid === null || kid === undefined) continue;
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return el;
}

async function api(path, opts = {}) {
  const headers = {'Accept': 'application/json'};
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['X-CSRF-Token'] = session ? session.csrf : '';
  }
  const res = await fetch(path, {
    method: opts.method || (opts.body !== undefined ? 'POST' : 'GET'),
    headers,
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    credentials: 'same-origin',
  });
  if (res.status === 401) { location.href = '/login' + location.hash; throw new Error('signed out'); }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || ('HTTP ' + res.status));
  return body;
}

function when(ns) {
  if (!ns) return '';
  return new Date(ns / 1e6).toISOString().replace('T', ' ').slice(0, 19);
}

function levelBadge(level) {
  return h('span', {class: 'lvl lvl-' + level}, level);
}

function view(...kids) {
  const v = document.getElementById('view');
  v.replaceChildren(...kids);
}

function errorBox(e) {
  return h('p', {class: 'error', role: 'alert'}, String(e.message || e));
}

// ---- overview ----

function chart(buckets, hours) {
  const W = 720, H = 200, pad = 24;
  const now = Date.now() * 1e6, hour = 3600e9;
  const start = Math.floor((now - hours * hour) / hour) * hour;
  const cols = [];
  for (let i = 0; i <= hours; i++) cols.push({t: start + i * hour, n: {}});
  for (const b of buckets) {
    const i = Math.round((b.hour_ns - start) / hour);
    if (i >= 0 && i < cols.length) cols[i].n[b.level] = (cols[i].n[b.level] || 0) + b.count;
  }
  const max = Math.max(1, ...cols.map(c => LEVELS.reduce((s, l) => s + (c.n[l] || 0), 0)));
  const bw = (W - pad) / cols.length;
  const svg = h('svg', {viewBox: `0 0 ${W} ${H + pad}`, class: 'chart', role: 'img',
                        'aria-label': 'alerts by level per hour'});
  cols.forEach((c, i) => {
    let y = H;
    for (const l of LEVELS.slice().reverse()) {
      const n = c.n[l] || 0;
      if (!n) continue;
      const bh = (n / max) * (H - pad);
      y -= bh;
      svg.append(h('rect', {x: pad + i * bw + 1, y, width: Math.max(1, bw - 2), height: bh,
                            class: 'bar-' + l},
                   h('title', {}, `${when(c.t)} ${l}: ${n}`)));
    }
  });
  svg.append(h('text', {x: 0, y: pad / 2 + 4, class: 'axis'}, String(max)));
  svg.append(h('text', {x: pad, y: H + pad - 4, class: 'axis'}, `${hours} h ago`));
  svg.append(h('text', {x: W - 40, y: H + pad - 4, class: 'axis'}, 'now'));
  return svg;
}

// The overview redraws itself every 30 s (a wall screen is left alone),
// saying when it last did and when a refresh failed.
let overviewTimer = null;
async function overview(again) {
  if (overviewTimer) { clearTimeout(overviewTimer); overviewTimer = null; }
  const still = () => (location.hash.replace(/^#\/?/, '') || 'overview').split('?')[0] === 'overview';
  const schedule = () => { overviewTimer = setTimeout(() => { if (still()) overview(true); }, 30000); };
  if (again !== true) view(h('h1', {}, 'Overview'), h('p', {}, 'Loading…'));
  try {
    const c = await capabilities();
    const [st, stats, src, act, inc, resp] = await Promise.all([
      api('/api/status'), api('/api/alerts/stats?hours=24'),
      api('/api/sources'), api('/api/actions?limit=10'),
      c.incidents ? api('/api/incidents?open=1&limit=1') : {total: 0},
      api('/api/respond/actions?limit=5')]);
    const totals = {};
    for (const b of stats.buckets) totals[b.level] = (totals[b.level] || 0) + b.count;
    view(
      h('h1', {}, 'Overview'),
      h('section', {class: 'cards'},
        h('div', {class: 'card'}, h('b', {id: 'alert-total'}, st.alerts), ' alerts stored'),
        ...LEVELS.map(l => h('div', {class: 'card'}, levelBadge(l), ' ', h('b', {}, totals[l] || 0), ' in 24 h')),
        h('div', {class: 'card'}, c.incidents
          ? [h('b', {id: 'open-incidents'}, inc.total), ' ', h('a', {href: '#/incidents?open=1'}, 'open incidents')]
          : ['Incidents: ', h('i', {}, 'not configured')])),
      h('section', {}, h('h2', {}, 'Alerts by level, last 24 hours'), chart(stats.buckets, 24)),
      h('section', {class: 'two'},
        h('div', {}, h('h2', {}, 'Sources'),
          h('table', {class: 'grid', id: 'sources'},
            h('thead', {}, h('tr', {}, ['Source', 'Health', 'Events', 'Failed', 'Dropped', 'Alerts'].map(t => h('th', {}, t)))),
            h('tbody', {}, src.items.map(s => h('tr', {},
              h('td', {}, s.name), h('td', {}, h('span', {class: 'health-' + s.health}, s.health)),
              h('td', {}, s.events_in), h('td', {}, s.failed), h('td', {}, s.dropped), h('td', {}, s.alerts)))))),
        h('div', {}, h('h2', {}, 'Last actions'),
          act.items.length ? h('ul', {class: 'actions'}, act.items.map(a => h('li', {},
            h('time', {}, when(a.time_ns)), ' ', h('b', {}, a.user), ' ', a.action, ' ', a.subject || '')))
            : h('p', {}, 'Nothing done through the web yet.'),
          h('h2', {}, 'Last response actions'),
          resp.items.length ? h('ul', {class: 'actions', id: 'last-responses'}, resp.items.map(a => h('li', {},
            h('time', {}, when(a.created_ns)), ' ', a.action, ' ', a.target, ' ', h('b', {}, a.state), ' ', a.actor)))
            : h('p', {}, 'No response action yet.'))));
    document.getElementById('view').prepend(h('p', {class: 'hint', id: 'updated'}, 'updated ' + new Date().toTimeString().slice(0, 8)));
    schedule();
  } catch (e) {
    if (again === true) {
      const u = document.getElementById('updated');
      if (u) { u.textContent = 'refresh failed at ' + new Date().toTimeString().slice(0, 8) + ': ' + e.message; u.classList.add('error'); }
    } else view(h('h1', {}, 'Overview'), errorBox(e));
    schedule();
  }
}

// ---- alert queue ----

// The rules by title, for the queue's Rule filter and the detail page:
// people look for "Root login over SSH", not its id.
let ruleList = null;
async function rulesByTitle() {
  if (!ruleList) ruleList = (await api('/api/rules').catch(() => ({items: []}))).items
    .slice().sort((x, y) => (x.title || x.rule_id).localeCompare(y.title || y.rule_id));
  return ruleList;
}

async function alerts(params) {
  const q = new URLSearchParams(params);
  const rl = await rulesByTitle();
  const filters = h('form', {class: 'filters', id: 'filters'},
    h('label', {}, 'Level ', h('select', {name: 'level'}, h('option', {value: ''}, 'any'),
      LEVELS.map(l => h('option', {value: l, selected: q.get('level') === l}, l)))),
    h('label', {}, 'State ', h('select', {name: 'state'}, h('option', {value: ''}, 'any'),
      ['new', 'acknowledged', 'closed'].map(s => h('option', {value: s, selected: q.get('state') === s}, s)))),
    h('label', {}, 'Rule ', h('select', {name: 'rule', id: 'rule-filter'}, h('option', {value: ''}, 'any'),
      rl.map(r => h('option', {value: r.rule_id, selected: q.get('rule') === r.rule_id}, r.title || r.rule_id)))),
    h('label', {}, 'Title ', h('input', {name: 'q', value: q.get('q') || '', size: 20})),
    h('button', {type: 'submit'}, 'Filter'));
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new URLSearchParams();
    for (const [k, v] of new FormData(filters)) if (v) f.set(k, v);
    location.hash = '#/alerts?' + f.toString();
  });
  const body = h('tbody', {id: 'alert-rows'});
  const all = h('input', {type: 'checkbox', 'aria-label': 'select all'});
  all.addEventListener('change', () => body.querySelectorAll('input[type=checkbox]').forEach(c => { c.checked = all.checked; }));
  const status = h('span', {class: 'status', id: 'bulk-status'});
  const bulk = (state, assign) => async () => {
    const uids = [...body.querySelectorAll('input:checked')].map(c => c.value);
    if (!uids.length) { status.textContent = 'select alerts first'; return; }
    try {
      const body = {uids, state};
      if (assign) body.assignee = session.user; // else each keeps its own
      const r = await api('/api/alerts/triage', {body});
      status.textContent = `${r.updated} updated`;
      load(true);
    } catch (e) { status.textContent = e.message; }
  };
  const canTriage = session.role !== 'viewer';
  const more = h('button', {type: 'button', id: 'more'}, 'More');
  let next = null;
  async function load(reset) {
    const p = new URLSearchParams(q);
    p.set('limit', '50');
    if (!reset && next) p.set('cursor', next);
    if (reset) body.replaceChildren();
    try {
      const r = await api('/api/alerts?' + p.toString());
      next = r.next;
      more.hidden = !next;
      for (const a of r.items) {
        body.append(h('tr', {class: 'state-' + a.state},
          h('td', {}, a.uid && canTriage ? h('input', {type: 'checkbox', value: a.uid, 'aria-label': 'select'}) : ''),
          h('td', {}, when(a.time_ns)), h('td', {}, levelBadge(a.level)),
          h('td', {}, a.uid ? h('a', {href: '#/alert/' + a.uid, class: 'alert-link'}, a.title) : a.title),
          h('td', {}, a.source || ''), h('td', {class: 'state'}, a.state), h('td', {}, a.assignee || '')));
      }
      if (!body.children.length) body.append(h('tr', {}, h('td', {colspan: 7}, 'No alerts match.')));
    } catch (e) { status.textContent = e.message; }
  }
  more.addEventListener('click', () => load(false));
  view(h('h1', {}, 'Alert queue'), filters,
    canTriage ? h('div', {class: 'bulk'},
      h('button', {type: 'button', id: 'ack', onclick: bulk('acknowledged', true)}, 'Acknowledge & assign to me'),
      h('button', {type: 'button', id: 'close', onclick: bulk('closed', false)}, 'Close'),
      h('button', {type: 'button', onclick: bulk('new', false)}, 'Reopen'), status) : status,
    h('table', {class: 'grid queue'},
      h('thead', {}, h('tr', {}, h('th', {}, all), ['Time', 'Level', 'Alert', 'Source', 'State', 'Assignee'].map(t => h('th', {}, t)))),
      body), more);
  await load(true);
}

// ---- alert detail ----

async function alertDetail(uid) {
  view(h('h1', {}, 'Alert'), h('p', {}, 'Loading…'));
  try {
    const a = await api('/api/alerts/' + encodeURIComponent(uid));
    const matched = a.matched && typeof a.matched === 'object' ? Object.entries(a.matched) : [];
    await capabilities();
    const ruleTitle = ((await rulesByTitle()).find(r => r.rule_id === a.rule_id) || {}).title || '';
    const ev = a.event && typeof a.event === 'object' ? a.event : {};
    const srcIp = (a.matched && a.matched['source.ip']) || ev['source.ip'] || (ev.source && ev.source.ip) || null;
    const status = h('span', {class: 'status', id: 'triage-status'});
    const triage = (state) => async () => {
      try {
        await api('/api/alerts/triage', {body: {uids: [a.uid], state, assignee: session.user}});
        status.textContent = 'now ' + state;
        document.getElementById('alert-state').textContent = state;
        document.getElementById('alert-assignee').textContent = session.user;
      } catch (e) { status.textContent = e.message; }
    };
    view(
      h('p', {}, h('a', {href: '#/alerts'}, '← Alert queue')),
      h('h1', {id: 'alert-title'}, a.title),
      h('dl', {class: 'facts'},
        h('dt', {}, 'Level'), h('dd', {}, levelBadge(a.level)),
        h('dt', {}, 'Time'), h('dd', {}, when(a.time_ns)),
        h('dt', {}, 'Rule'), h('dd', {}, ruleTitle, ' ', h('small', {class: 'hint'}, a.rule_id)),
        h('dt', {}, 'Source'), h('dd', {}, a.source || ''),
        h('dt', {}, 'State'), h('dd', {id: 'alert-state'}, a.state),
        h('dt', {}, 'Assignee'), h('dd', {id: 'alert-assignee'}, a.assignee || '—'),
        h('dt', {}, 'Tags'), h('dd', {}, Array.isArray(a.tags) ? a.tags.join(', ') : ''),
        h('dt', {}, 'Id'), h('dd', {}, h('code', {}, a.uid))),
      session.role !== 'viewer' ? h('div', {class: 'bulk'},
        h('button', {type: 'button', id: 'detail-ack', onclick: triage('acknowledged')}, 'Acknowledge'),
        h('button', {type: 'button', id: 'detail-close', onclick: triage('closed')}, 'Close'),
        caps.incidents ? h('button', {type: 'button', id: 'detail-incident', onclick: async () => {
          try {
            const r = await api('/api/incidents', {body: {alert: a.uid, severity: ['critical', 'high', 'medium', 'low'].includes(a.level) ? a.level : 'low'}});
            location.hash = '#/incident/' + r.num;
          } catch (e) { status.textContent = e.message; }
        }}, 'Open incident from this alert') : null,
        caps.respond && srcIp ? h('button', {type: 'button', id: 'detail-block', class: 'danger', onclick: () =>
          respondAction({action: 'block', target: srcIp, for: '1h', alert: a.uid, reason: a.title}, status)}, `Block ${srcIp}…`) : null,
        status) : null,
      h('h2', {}, 'Fields that matched'),
      h('table', {class: 'grid', id: 'matched'}, h('tbody', {}, matched.map(([k, v]) =>
        h('tr', {}, h('th', {}, k), h('td', {}, typeof v === 'string' ? v : JSON.stringify(v)))))),
      h('h2', {}, 'Matched event'),
      h('pre', {class: 'event', id: 'event'}, JSON.stringify(a.event, null, 2)));
  } catch (e) { view(h('h1', {}, 'Alert'), errorBox(e)); }
}

function notConfigured(what, why) {
  view(h('h1', {}, what),
    h('p', {class: 'notice', id: 'not-configured'},
      `${what}: this capability is not configured in this daemon (${why}).`));
}

// ---- shared pieces ----

let caps = null;
async function capabilities() {
  if (!caps) caps = await api('/api/capabilities');
  return caps;
}

const canChange = () => session.role !== 'viewer';

// A confirmation dialog; resolves true when the person confirms.
function confirmDialog(title, text) {
  return new Promise((resolve) => {
    const dlg = h('dialog', {id: 'confirm', 'aria-labelledby': 'confirm-title'},
      h('h2', {id: 'confirm-title'}, title), h('p', {id: 'confirm-text'}, text),
      h('div', {class: 'bulk'},
        h('button', {type: 'button', id: 'confirm-ok', class: 'danger'}, 'Confirm'),
        h('button', {type: 'button', id: 'confirm-cancel'}, 'Cancel')));
    const done = (v) => { dlg.close(); dlg.remove(); resolve(v); };
    dlg.querySelector('#confirm-ok').addEventListener('click', () => done(true));
    dlg.querySelector('#confirm-cancel').addEventListener('click', () => done(false));
    dlg.addEventListener('cancel', () => done(false));
    document.body.append(dlg);
    dlg.showModal();
  });
}

// Asks for confirmation, then triggers a response action.
async function respondAction(body, status) {
  const what = body.action + ' ' + (body.target || 'this host') + (body.for ? ' for ' + body.for : '');
  if (!await confirmDialog('Confirm response action', `Really ${what}? It is recorded with your name.`)) {
    status.textContent = 'cancelled';
    return null;
  }
  try {
    const r = await api('/api/respond/actions', {body});
    status.textContent = `${body.action}: ${r.state} (action ${r.id})`;
    return r;
  } catch (e) { status.textContent = e.message; return null; }
}

function alertTable(items, id) {
  return h('table', {class: 'grid', id},
    h('thead', {}, h('tr', {}, ['Time', 'Level', 'Alert', 'Rule', 'Source', 'State'].map(t => h('th', {}, t)))),
    h('tbody', {}, items.length ? items.map(a => h('tr', {class: 'state-' + a.state},
      h('td', {}, when(a.time_ns)), h('td', {}, levelBadge(a.level)),
      h('td', {}, a.uid ? h('a', {href: '#/alert/' + a.uid, class: 'alert-link'}, a.title) : a.title),
      h('td', {}, a.rule_id), h('td', {}, a.source || ''), h('td', {}, a.state)))
      : h('tr', {}, h('td', {colspan: 6}, 'Nothing yet.'))));
}

// A paged alert view over one category (file changes, network findings).
async function categoryView(title, path, cap, why, intro) {
  const c = await capabilities();
  if (!c[cap]) return notConfigured(title, why);
  const box = h('div', {id: 'category-rows'});
  const more = h('button', {type: 'button', id: 'more'}, 'More');
  let next = null;
  async function load() {
    try {
      const r = await api(path + '?limit=50' + (next ? '&cursor=' + encodeURIComponent(next) : ''));
      next = r.next;
      more.hidden = !next;
      box.append(alertTable(r.items, ''));
    } catch (e) { box.append(errorBox(e)); }
  }
  more.addEventListener('click', load);
  view(h('h1', {}, title), h('p', {class: 'hint'}, intro), box, more);
  await load();
}

// ---- incidents ----

const PHASES = ['detected', 'triaged', 'contained', 'eradicated', 'recovered', 'closed'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];

async function incidents(params) {
  const c = await capabilities();
  if (!c.incidents) return notConfigured('Incidents', 'the incident component is not running');
  const q = new URLSearchParams(params);
  const filters = h('form', {class: 'filters', id: 'incident-filters'},
    h('label', {}, 'Status ', h('select', {name: 'status'}, h('option', {value: ''}, 'any'),
      PHASES.map(p => h('option', {value: p, selected: q.get('status') === p}, p)))),
    h('label', {}, 'Severity ', h('select', {name: 'severity'}, h('option', {value: ''}, 'any'),
      SEVERITIES.map(p => h('option', {value: p, selected: q.get('severity') === p}, p)))),
    h('label', {}, 'Title ', h('input', {name: 'q', value: q.get('q') || '', size: 20})),
    h('label', {}, 'Sort ', h('select', {name: 'sort'},
      [['-num', 'newest'], ['num', 'oldest'], ['-severity', 'most severe'], ['status', 'phase']]
        .map(([v, t]) => h('option', {value: v, selected: q.get('sort') === v}, t)))),
    h('label', {}, h('input', {type: 'checkbox', name: 'open', value: '1', checked: q.get('open') === '1'}), ' open only'),
    h('button', {type: 'submit'}, 'Filter'));
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new URLSearchParams();
    for (const [k, v] of new FormData(filters)) if (v) f.set(k, v);
    location.hash = '#/incidents?' + f.toString();
  });
  const offset = Number(q.get('offset') || 0);
  const p = new URLSearchParams(q);
  p.set('limit', '25');
  p.set('offset', String(offset));
  const status = h('span', {class: 'status', id: 'new-incident-status'});
  const form = h('form', {class: 'filters', id: 'new-incident'},
    h('label', {}, 'Title ', h('input', {name: 'title', id: 'new-title', size: 30, required: true})),
    h('label', {}, 'Severity ', h('select', {name: 'severity'}, SEVERITIES.map(s => h('option', {value: s, selected: s === 'medium'}, s)))),
    h('button', {type: 'submit'}, 'Open incident'), status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    try {
      const r = await api('/api/incidents', {body: {title: f.get('title'), severity: f.get('severity')}});
      location.hash = '#/incident/' + r.num;
    } catch (err) { status.textContent = err.message; }
  });
  try {
    const r = await api('/api/incidents?' + p.toString());
    const pager = h('p', {class: 'pager'},
      offset > 0 ? h('a', {href: '#/incidents?' + withParam(q, 'offset', Math.max(0, offset - 25))}, '← newer') : null, ' ',
      `${r.total ? offset + 1 : 0}–${Math.min(offset + 25, r.total)} of ${r.total}`, ' ',
      offset + 25 < r.total ? h('a', {href: '#/incidents?' + withParam(q, 'offset', offset + 25)}, 'older →') : null);
    view(h('h1', {}, 'Incidents'), filters, canChange() ? form : null,
      h('table', {class: 'grid', id: 'incident-rows'},
        h('thead', {}, h('tr', {}, ['#', 'Title', 'Severity', 'Phase', 'Owner', 'Opened', 'Last alert'].map(t => h('th', {}, t)))),
        h('tbody', {}, r.items.length ? r.items.map(i => h('tr', {},
          h('td', {}, 'INC-' + i.num),
          h('td', {}, h('a', {href: '#/incident/' + i.num, class: 'incident-link'}, i.title)),
          h('td', {}, levelBadge(i.severity)), h('td', {}, i.status), h('td', {}, i.owner || '—'),
          h('td', {}, when(i.opened_ns)), h('td', {}, i.last_alert || '')))
          : h('tr', {}, h('td', {colspan: 7}, 'No incidents match.')))), pager);
  } catch (e) { view(h('h1', {}, 'Incidents'), errorBox(e)); }
}

function withParam(q, k, v) {
  const p = new URLSearchParams(q);
  p.set(k, String(v));
  return p.toString();
}

function left(ns) {
  const neg = ns < 0;
  let s = Math.floor(Math.abs(ns) / 1e9);
  const d = Math.floor(s / 86400); s -= d * 86400;
  const hh = Math.floor(s / 3600); s -= hh * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const t = (d ? d + 'd ' : '') + String(hh).padStart(2, '0') + ':' + String(m).padStart(2, '0') + ':' + String(s).padStart(2, '0');
  return neg ? 'overdue by ' + t : t;
}

let countdown = null;

async function incidentDetail(ref) {
  view(h('h1', {}, 'Incident'), h('p', {}, 'Loading…'));
  let i;
  let acts;
  try {
    [i, acts] = await Promise.all([api('/api/incidents/' + encodeURIComponent(ref)), api('/api/respond/actions?limit=500')]);
  } catch (e) { return view(h('h1', {}, 'Incident'), errorBox(e)); }
  await capabilities();
  // The actions taken for it: from its page (reason INC-n) or on its alerts.
  const mine = new Set(i.alerts.map(a => a.id));
  const related = acts.items.filter(a => a.reason === `INC-${i.num}` || (a.alert && mine.has(a.alert)));
  const status = h('span', {class: 'status', id: 'incident-status'});
  const change = (what, body) => async () => {
    try { await api(`/api/incidents/${i.num}/${what}`, {body}); incidentDetail(ref); }
    catch (e) { status.textContent = e.message; }
  };
  // The clocks count down here, from the server's time at load.
  const skew = i.now_ns - Date.now() * 1e6;
  const clockCells = [];
  const clocks = h('table', {class: 'grid', id: 'clocks'},
    h('thead', {}, h('tr', {}, ['Obligation', 'To', 'Due', 'Left', 'State'].map(t => h('th', {}, t)))),
    h('tbody', {}, i.clocks.map(c => {
      const cell = h('td', {class: 'left', 'data-due': c.due_ns}, '');
      if (c.state === 'running') clockCells.push(cell); else cell.textContent = c.state;
      return h('tr', {}, h('td', {}, c.name, h('br'), h('small', {class: 'hint'}, c.deadline)),
        h('td', {}, c.regulator), h('td', {}, c.due || ''), cell, h('td', {}, c.state, c.ref ? ' ' + c.ref : ''));
    })));
  const tick = () => {
    const now = Date.now() * 1e6 + skew;
    for (const cell of clockCells) {
      const l = Number(cell.dataset.due) - now;
      cell.textContent = left(l);
      cell.classList.toggle('overdue', l < 0);
      cell.classList.toggle('soon', l >= 0 && l < 12 * 3600e9);
    }
  };
  tick();
  if (countdown) clearInterval(countdown);
  countdown = setInterval(() => { if (!document.body.contains(clocks)) { clearInterval(countdown); countdown = null; } else tick(); }, 1000);

  const note = h('form', {class: 'filters', id: 'note-form'},
    h('input', {name: 'text', id: 'note-text', size: 50, placeholder: 'a note for the timeline', required: true}),
    h('button', {type: 'submit'}, 'Add note'));
  note.addEventListener('submit', (e) => { e.preventDefault(); change('note', {text: new FormData(note).get('text')})(); });
  const phase = h('select', {id: 'phase'}, PHASES.map(p => h('option', {value: p, selected: p === i.status}, p)));
  const owner = h('input', {id: 'owner', size: 16, value: i.owner || ''});
  const blockTarget = h('input', {id: 'block-target', size: 18, placeholder: 'address'});
  const blockFor = h('input', {id: 'block-for', size: 5, value: '1h'});
  const actStatus = h('span', {class: 'status', id: 'act-status'});
  view(
    h('p', {}, h('a', {href: '#/incidents'}, '← Incidents')),
    h('h1', {id: 'incident-title'}, `INC-${i.num}: ${i.title}`),
    h('dl', {class: 'facts'},
      h('dt', {}, 'Severity'), h('dd', {}, levelBadge(i.severity)),
      h('dt', {}, 'Phase'), h('dd', {id: 'incident-phase'}, i.status),
      h('dt', {}, 'Owner'), h('dd', {id: 'incident-owner'}, i.owner || '—'),
      h('dt', {}, 'Kind'), h('dd', {}, i.kind),
      h('dt', {}, 'Aware since'), h('dd', {}, i.aware || ''),
      h('dt', {}, 'Personal data'), h('dd', {}, i.personal_data ? 'yes' : 'no')),
    canChange() ? h('div', {class: 'bulk'},
      h('label', {}, 'Phase ', phase), h('button', {type: 'button', id: 'set-phase', onclick: () => change('status', {status: phase.value})()}, 'Set'),
      h('label', {}, 'Owner ', owner), h('button', {type: 'button', id: 'set-owner', onclick: () => change('assign', {owner: owner.value || session.user})()}, 'Assign'),
      status) : status,
    h('h2', {}, 'Clocks'), i.clocks.length ? clocks : h('p', {}, 'No regulator clock runs for this incident.'),
    h('section', {class: 'two'},
      h('div', {}, h('h2', {}, 'Tasks'),
        h('table', {class: 'grid', id: 'tasks'}, h('tbody', {}, i.tasks.length ? i.tasks.map(t => h('tr', {class: 'task-' + t.state},
          h('td', {}, t.pos), h('td', {}, t.title, h('br'), h('small', {class: 'hint'}, [t.role, t.phase, t.owner].filter(Boolean).join(' · '))),
          h('td', {}, t.state),
          h('td', {}, canChange() && t.state !== 'done' ? h('button', {type: 'button', class: 'mark-done', onclick: change('tasks', {pos: t.pos, state: 'done'})}, 'Done') : '')))
          : h('tr', {}, h('td', {}, 'No tasks.'))))),
      h('div', {}, h('h2', {}, 'Affected services'),
        i.services.length ? h('table', {class: 'grid', id: 'services'}, h('tbody', {}, i.services.map(s => h('tr', {},
          h('td', {}, s.name), h('td', {}, s.state), h('td', {}, s.workaround)))))
          : h('p', {}, 'None recorded.'),
        h('h2', {}, 'Alerts'),
        h('ul', {id: 'incident-alerts'}, i.alerts.map(a => h('li', {}, levelBadge(a.level), ' ',
          h('a', {href: '#/alert/' + a.id}, a.title), ' ', h('small', {class: 'hint'}, a.time || '')))))),
    canChange() ? h('section', {}, h('h2', {}, 'Contain'),
      h('div', {class: 'bulk'}, h('label', {}, 'Block ', blockTarget), h('label', {}, 'for ', blockFor),
        h('button', {type: 'button', id: 'incident-block', class: 'danger', onclick: async () => {
          if (!blockTarget.value) { actStatus.textContent = 'an address first'; return; }
          if (await respondAction({action: 'block', target: blockTarget.value, for: blockFor.value, incident: String(i.num), reason: `INC-${i.num}`}, actStatus)) incidentDetail(ref);
        }}, 'Block…'),
        h('button', {type: 'button', id: 'incident-isolate', class: 'danger', onclick: async () => {
          if (await respondAction({action: 'isolate', incident: String(i.num), reason: `INC-${i.num}`}, actStatus)) incidentDetail(ref);
        }}, 'Isolate host…'), actStatus)) : null,
    h('h2', {}, 'Response actions'),
    related.length ? h('table', {class: 'grid', id: 'incident-actions'}, h('tbody', {}, related.map(a => h('tr', {},
      h('td', {}, when(a.created_ns)), h('td', {}, a.action), h('td', {}, a.target), h('td', {class: 'state'}, a.state), h('td', {}, a.actor),
      h('td', {}, caps.respond && canChange() && a.state === 'active' ? h('button', {type: 'button', class: 'undo', onclick: async () => {
        if (!await confirmDialog('Confirm undo', `Undo ${a.action} ${a.target}? It is recorded with your name.`)) return;
        try { await api(`/api/respond/actions/${a.id}/undo`, {body: {incident: String(i.num)}}); incidentDetail(ref); }
        catch (e) { actStatus.textContent = e.message; }
      }}, 'Undo…') : '')))))
      : h('p', {}, 'None yet.'),
    h('h2', {}, 'Draft notifications'),
    i.drafts.length ? h('div', {id: 'drafts'}, i.drafts.map(d => h('details', {},
      h('summary', {}, `${d.regime}: to ${d.to}`), h('pre', {class: 'event'}, d.text))))
      : h('p', {}, 'No draft: no regulator clock runs.'),
    h('h2', {}, 'Timeline'),
    canChange() ? note : null,
    h('table', {class: 'grid', id: 'timeline'},
      h('thead', {}, h('tr', {}, ['When', 'Who', 'What', ''].map(t => h('th', {}, t)))),
      h('tbody', {}, i.timeline.slice().reverse().map(t => h('tr', {},
        h('td', {}, when(t.at_ns)), h('td', {class: 'actor'}, t.actor), h('td', {}, t.what), h('td', {}, t.text))))));
}

// ---- response actions ----

async function actions() {
  const c = await capabilities();
  let r;
  try { r = await api('/api/respond/actions?limit=200'); } catch (e) { return view(h('h1', {}, 'Response actions'), errorBox(e)); }
  const status = h('span', {class: 'status', id: 'respond-status'});
  const form = h('form', {class: 'filters', id: 'respond-form'},
    h('label', {}, 'Action ', h('select', {name: 'action', id: 'respond-action'},
      ['block', 'isolate', 'lock', 'stop', 'unblock', 'unisolate', 'unlock'].map(a => h('option', {value: a}, a)))),
    h('label', {}, 'Target ', h('input', {name: 'target', id: 'respond-target', size: 20, placeholder: 'address, user or pid'})),
    h('label', {}, 'For ', h('input', {name: 'for', size: 5, value: '1h'})),
    h('label', {}, 'Reason ', h('input', {name: 'reason', size: 24})),
    h('button', {type: 'submit', class: 'danger'}, 'Act…'), status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(form), body = {action: f.get('action')};
    for (const k of ['target', 'for', 'reason']) if (f.get(k)) body[k] = f.get(k);
    if (await respondAction(body, status)) actions();
  });
  const undo = (a) => async () => {
    if (!await confirmDialog('Confirm undo', `Undo ${a.action} ${a.target}?`)) return;
    try { await api(`/api/respond/actions/${a.id}/undo`, {body: {}}); actions(); }
    catch (e) { status.textContent = e.message; }
  };
  view(h('h1', {}, 'Response actions'),
    c.respond && canChange() ? form : h('p', {class: 'hint'}, c.respond ? 'Viewers see the record only.' :
      'Containment is not configured in this daemon: the record below is what `vigil respond` did.'),
    h('table', {class: 'grid', id: 'action-rows'},
      h('thead', {}, h('tr', {}, ['When', 'Action', 'Target', 'State', 'Who', 'Why', 'Expires', ''].map(t => h('th', {}, t)))),
      h('tbody', {}, r.items.length ? r.items.map(a => h('tr', {class: 'action-' + a.state},
        h('td', {}, when(a.created_ns)), h('td', {}, a.action), h('td', {}, a.target), h('td', {class: 'state'}, a.state),
        h('td', {}, a.actor), h('td', {}, a.reason), h('td', {}, a.expires_ns ? when(a.expires_ns) : ''),
        h('td', {}, c.respond && canChange() && a.state === 'active' ? h('button', {type: 'button', class: 'undo', onclick: undo(a)}, 'Undo…') : '')))
        : h('tr', {}, h('td', {colspan: 8}, 'No action recorded.')))));
}

// ---- release checks ----

async function releases() {
  try {
    const r = await api('/api/release-checks');
    view(h('h1', {}, 'Release checks'),
      h('p', {class: 'hint'}, 'Documents checked with `vigil check-release --record` before publication.'),
      h('table', {class: 'grid', id: 'release-rows'},
        h('thead', {}, h('tr', {}, ['When', 'File', 'Format', 'Verdict', 'Findings', 'By'].map(t => h('th', {}, t)))),
        h('tbody', {}, r.items.length ? r.items.map(c => h('tr', {},
          h('td', {}, when(c.time_ns)), h('td', {}, c.file), h('td', {}, c.format),
          h('td', {}, h('span', {class: 'verdict-' + c.verdict}, c.verdict)), h('td', {}, c.findings), h('td', {}, c.user)))
          : h('tr', {}, h('td', {colspan: 6}, 'No release check recorded yet.')))));
  } catch (e) { view(h('h1', {}, 'Release checks'), errorBox(e)); }
}

// ---- rules ----

async function rules() {
  try {
    const r = await api('/api/rules');
    view(h('h1', {}, 'Rules'),
      h('table', {class: 'grid', id: 'rule-rows'},
        h('thead', {}, h('tr', {}, ['Rule', 'Level', 'Alerts', 'Last alert', 'Loaded'].map(t => h('th', {}, t)))),
        h('tbody', {}, r.items.map(x => h('tr', {},
          h('td', {}, h('a', {href: '#/alerts?rule=' + encodeURIComponent(x.rule_id)}, x.title || x.rule_id)),
          h('td', {}, x.level ? levelBadge(x.level) : ''), h('td', {}, x.alerts),
          h('td', {}, x.last_ns ? when(x.last_ns) : ''), h('td', {}, x.loaded ? 'yes' : 'no'))))));
  } catch (e) { view(h('h1', {}, 'Rules'), errorBox(e)); }
}

// ---- users (admin) ----

async function users() {
  if (session.role !== 'admin') return view(h('h1', {}, 'Users'), h('p', {class: 'notice'}, 'Only an admin manages users.'));
  let u, t;
  try { [u, t] = await Promise.all([api('/api/users'), api('/api/tokens')]); } catch (e) { return view(h('h1', {}, 'Users'), errorBox(e)); }
  const status = h('span', {class: 'status', id: 'users-status'});
  const act = (fn) => async () => { try { await fn(); users(); } catch (e) { status.textContent = e.message; } };
  const add = h('form', {class: 'filters', id: 'user-add'},
    h('label', {}, 'Name ', h('input', {name: 'name', id: 'user-name', size: 14, required: true})),
    h('label', {}, 'Password ', h('input', {name: 'password', id: 'user-password', type: 'password', minlength: 12, required: true, autocomplete: 'new-password'})),
    h('label', {}, 'Role ', h('select', {name: 'role', id: 'user-role'}, ['viewer', 'analyst', 'admin'].map(r => h('option', {value: r}, r)))),
    h('button', {type: 'submit'}, 'Add user'), status);
  add.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new FormData(add);
    act(() => api('/api/users', {body: {name: f.get('name'), password: f.get('password'), role: f.get('role')}}))();
  });
  const tokOut = h('p', {id: 'token-out', class: 'notice', hidden: true});
  const tok = h('form', {class: 'filters', id: 'token-new'},
    h('label', {}, 'User ', h('select', {name: 'user'}, u.items.map(x => h('option', {value: x.name}, x.name)))),
    h('label', {}, 'Label ', h('input', {name: 'label', size: 16})),
    h('button', {type: 'submit'}, 'Make API token'));
  tok.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(tok);
    try {
      const r = await api('/api/tokens', {body: {user: f.get('user'), label: f.get('label') || null}});
      tokOut.hidden = false;
      tokOut.replaceChildren('Token for ', h('b', {}, r.user), ' (shown once, copy it now): ', h('code', {id: 'token-value'}, r.token));
    } catch (err) { status.textContent = err.message; }
  });
  view(h('h1', {}, 'Users'), add,
    h('table', {class: 'grid', id: 'user-rows'},
      h('thead', {}, h('tr', {}, ['User', 'Role', 'Since', ''].map(x => h('th', {}, x)))),
      h('tbody', {}, u.items.map(x => {
        const role = h('select', {'aria-label': 'role of ' + x.name}, ['viewer', 'analyst', 'admin'].map(r => h('option', {value: r, selected: r === x.role}, r)));
        return h('tr', {'data-user': x.name}, h('td', {}, x.name), h('td', {}, role), h('td', {}, when(x.created_ns)),
          h('td', {class: 'bulk'},
            h('button', {type: 'button', class: 'set-role', onclick: act(() => api(`/api/users/${encodeURIComponent(x.name)}/role`, {body: {role: role.value}}))}, 'Set role'),
            h('button', {type: 'button', class: 'reset-password', onclick: async () => {
              const pw = prompt(`New password for ${x.name} (12 characters or more)`);
              if (pw) act(() => api(`/api/users/${encodeURIComponent(x.name)}/password`, {body: {password: pw}}))();
            }}, 'Reset password…'),
            x.name !== session.user ? h('button', {type: 'button', class: 'danger delete-user', onclick: async () => {
              if (await confirmDialog('Delete user', `Delete ${x.name} with their sessions and tokens?`))
                act(() => api(`/api/users/${encodeURIComponent(x.name)}/delete`, {body: {}}))();
            }}, 'Delete…') : null));
      }))),
    h('h2', {}, 'API tokens'), tok, tokOut,
    h('table', {class: 'grid', id: 'token-rows'},
      h('thead', {}, h('tr', {}, ['Id', 'User', 'Label', 'Made', ''].map(x => h('th', {}, x)))),
      h('tbody', {}, t.items.length ? t.items.map(x => h('tr', {}, h('td', {}, h('code', {}, x.id)), h('td', {}, x.user),
        h('td', {}, x.label), h('td', {}, when(x.created_ns)),
        h('td', {}, h('button', {type: 'button', class: 'danger', onclick: async () => {
          if (await confirmDialog('Revoke token', `Revoke token ${x.id} of ${x.user}?`))
            act(() => api(`/api/tokens/${x.id}/revoke`, {body: {}}))();
        }}, 'Revoke…'))))
        : h('tr', {}, h('td', {colspan: 5}, 'No token.')))));
}

const routes = {
  overview, alerts, incidents, actions, releases, rules, users,
  files: () => categoryView('File changes', '/api/files', 'fim', 'file integrity monitoring',
    'Alerts from file integrity monitoring: changed, added and removed files, ransomware and canaries.'),
  network: () => categoryView('Network findings', '/api/network', 'net', 'network sensors',
    'Alerts from the network detectors: scans, beaconing, exfiltration, DNS tunnels, IOC hits.'),
};

function route() {
  const hash = location.hash.replace(/^#\/?/, '') || 'overview';
  const [path, query] = hash.split('?');
  const parts = path.split('/');
  for (const a of document.querySelectorAll('header nav a'))
    a.classList.toggle('on', a.getAttribute('href') === '#/' + parts[0]);
  if (parts[0] === 'alert' && parts[1]) return alertDetail(decodeURIComponent(parts[1]));
  if (parts[0] === 'incident' && parts[1]) return incidentDetail(decodeURIComponent(parts[1]));
  return (Object.hasOwn(routes, parts[0]) ? routes[parts[0]] : overview)(query || '');
}

async function main() {
  try {
    session = await api('/api/session');
  } catch (e) { return; }
  document.getElementById('who').textContent = `${session.user} (${session.role})`;
  if (session.role !== 'admin') document.querySelector('nav a[href="#/users"]').hidden = true;
  document.getElementById('logout').addEventListener('click', async () => {
    await api('/api/logout', {body: {}}).catch(() => {});
    location.href = '/login';
  });
  window.addEventListener('hashchange', route);
  route();
}
main();
