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
  if (res.status === 401) { location.href = '/login'; throw new Error('signed out'); }
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

async function overview() {
  view(h('h1', {}, 'Overview'), h('p', {}, 'Loading…'));
  try {
    const [st, stats, src, act] = await Promise.all([
      api('/api/status'), api('/api/alerts/stats?hours=24'),
      api('/api/sources'), api('/api/actions?limit=10')]);
    const totals = {};
    for (const b of stats.buckets) totals[b.level] = (totals[b.level] || 0) + b.count;
    view(
      h('h1', {}, 'Overview'),
      h('section', {class: 'cards'},
        h('div', {class: 'card'}, h('b', {id: 'alert-total'}, st.alerts), ' alerts stored'),
        ...LEVELS.map(l => h('div', {class: 'card'}, levelBadge(l), ' ', h('b', {}, totals[l] || 0), ' in 24 h')),
        h('div', {class: 'card'}, 'Incidents: ', h('i', {}, 'not configured'))),
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
            : h('p', {}, 'Nothing done through the web yet.'))));
  } catch (e) { view(h('h1', {}, 'Overview'), errorBox(e)); }
}

// ---- alert queue ----

async function alerts(params) {
  const q = new URLSearchParams(params);
  const filters = h('form', {class: 'filters', id: 'filters'},
    h('label', {}, 'Level ', h('select', {name: 'level'}, h('option', {value: ''}, 'any'),
      LEVELS.map(l => h('option', {value: l, selected: q.get('level') === l}, l)))),
    h('label', {}, 'State ', h('select', {name: 'state'}, h('option', {value: ''}, 'any'),
      ['new', 'acknowledged', 'closed'].map(s => h('option', {value: s, selected: q.get('state') === s}, s)))),
    h('label', {}, 'Rule ', h('input', {name: 'rule', value: q.get('rule') || '', size: 20})),
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
        h('dt', {}, 'Rule'), h('dd', {}, a.rule_id),
        h('dt', {}, 'Source'), h('dd', {}, a.source || ''),
        h('dt', {}, 'State'), h('dd', {id: 'alert-state'}, a.state),
        h('dt', {}, 'Assignee'), h('dd', {id: 'alert-assignee'}, a.assignee || '—'),
        h('dt', {}, 'Tags'), h('dd', {}, Array.isArray(a.tags) ? a.tags.join(', ') : ''),
        h('dt', {}, 'Id'), h('dd', {}, h('code', {}, a.uid))),
      session.role !== 'viewer' ? h('div', {class: 'bulk'},
        h('button', {type: 'button', id: 'detail-ack', onclick: triage('acknowledged')}, 'Acknowledge'),
        h('button', {type: 'button', id: 'detail-close', onclick: triage('closed')}, 'Close'), status) : null,
      h('h2', {}, 'Fields that matched'),
      h('table', {class: 'grid', id: 'matched'}, h('tbody', {}, matched.map(([k, v]) =>
        h('tr', {}, h('th', {}, k), h('td', {}, typeof v === 'string' ? v : JSON.stringify(v)))))),
      h('h2', {}, 'Matched event'),
      h('pre', {class: 'event', id: 'event'}, JSON.stringify(a.event, null, 2)));
  } catch (e) { view(h('h1', {}, 'Alert'), errorBox(e)); }
}

function notConfigured(what, issue) {
  view(h('h1', {}, what),
    h('p', {class: 'notice', id: 'not-configured'},
      `${what}: this capability is not configured in this daemon. ` +
      `It appears here once vigil has it (${issue}).`));
}

const routes = {
  overview, alerts,
  incidents: () => notConfigured('Incidents', 'incidents, issue 14'),
  actions: () => notConfigured('Response actions', 'respond, issue 13'),
  files: () => notConfigured('File changes', 'file integrity, issue 12'),
  network: () => notConfigured('Network findings', 'network, issue 15'),
  releases: () => notConfigured('Release checks', 'stored release checks'),
};

function route() {
  const hash = location.hash.replace(/^#\/?/, '') || 'overview';
  const [path, query] = hash.split('?');
  const parts = path.split('/');
  for (const a of document.querySelectorAll('header nav a'))
    a.classList.toggle('on', a.getAttribute('href') === '#/' + parts[0]);
  if (parts[0] === 'alert' && parts[1]) return alertDetail(decodeURIComponent(parts[1]));
  return (routes[parts[0]] || overview)(query || '');
}

async function main() {
  try {
    session = await api('/api/session');
  } catch (e) { return; }
  document.getElementById('who').textContent = `${session.user} (${session.role})`;
  document.getElementById('logout').addEventListener('click', async () => {
    await api('/api/logout', {body: {}}).catch(() => {});
    location.href = '/login';
  });
  window.addEventListener('hashchange', route);
  route();
}
main();
