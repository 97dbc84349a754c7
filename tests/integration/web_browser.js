// web_browser.js -- the dashboard in a real browser (playwright-core
// driving Debian's chromium) against a running daemon: sign in, see an
// alert raised by a log line this script appends, open it, triage it
// (detail page and bulk), open an incident from it, see its clocks count
// down, add a note, block the alert's address through a confirmation
// dialog, undo it (MODE real; a dry run has nothing to undo), and see the
// timeline with the user's name; then the response, file, network and
// release-check views. Screenshots go to SHOTS as test artefacts.
// usage: node web_browser.js BASE AUTH_LOG SHOTS PROFILE_DIR MODE
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const [BASE, AUTHLOG, SHOTS, PROFILE, MODE] = process.argv.slice(2);

function stamp() {
  const d = new Date();
  const mon = d.toLocaleString('en-US', { month: 'short' });
  const day = String(d.getDate()).padStart(2, ' ');
  const t = d.toTimeString().slice(0, 8);
  return `${mon} ${day} ${t}`;
}

async function main() {
  fs.mkdirSync(SHOTS, { recursive: true });
  const context = await chromium.launchPersistentContext(PROFILE, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
      '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1366, height: 800 },
  });
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // The wrong password's 401 is expected; any other failed load is not.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('status of 401')) errors.push(m.text());
  });
  const shot = (name) => page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: true });
  try {
    // Not signed in: the dashboard sends us to the login page.
    await page.goto(BASE + '/');
    await page.waitForURL(/\/login$/);
    await shot('01-login');
    await page.fill('#user', 'ana');
    await page.fill('#password', 'wrong password here');
    await page.click('#signin');
    await page.waitForSelector('#error:has-text("wrong user or password")');
    await page.fill('#password', 'analyst password 2');
    await page.click('#signin');
    await page.waitForSelector('#alert-total');
    const before = Number(await page.textContent('#alert-total'));
    await shot('02-overview-empty');

    // A root login appended to the tailed log becomes an alert.
    fs.appendFileSync(AUTHLOG, `${stamp()} web1 sshd[4242]: Accepted password for root from 198.51.100.77 port 40404 ssh2\n`);
    await page.goto(BASE + '/#/alerts');
    const link = page.locator('a.alert-link', { hasText: 'Root login over SSH' });
    for (let i = 0; i < 60 && await link.count() === 0; i++) {
      await page.waitForTimeout(500);
      await page.reload();
      await page.waitForSelector('#alert-rows tr');
    }
    if (await link.count() === 0) throw new Error('the alert never appeared in the queue');
    await shot('03-queue');

    // Open it: the matched fields and the event are there.
    await link.first().click();
    await page.waitForSelector('#alert-title:has-text("Root login over SSH")');
    const matched = await page.textContent('#matched');
    if (!matched.includes('user.name') || !matched.includes('root'))
      throw new Error('matched fields missing: ' + matched);
    const ev = await page.textContent('#event');
    if (!ev.includes('198.51.100.77')) throw new Error('event missing the address');
    await page.click('#detail-ack');
    await page.waitForSelector('#alert-state:has-text("acknowledged")');
    await shot('04-detail-acknowledged');

    // Bulk triage from the queue: close it.
    await page.goto(BASE + '/#/alerts?state=acknowledged');
    await page.waitForSelector('#alert-rows input[type=checkbox]');
    await page.check('#alert-rows input[type=checkbox]');
    await page.click('#close');
    await page.waitForSelector('#bulk-status:has-text("1 updated")');
    await page.goto(BASE + '/#/alerts?state=closed');
    await page.waitForSelector('#alert-rows td.state:has-text("closed")');
    // closing kept the assignee the detail page set
    await page.waitForSelector('#alert-rows tr:has-text("ana")');
    await shot('05-queue-closed');

    // The overview counts it and lists the action with its user.
    await page.goto(BASE + '/#/overview');
    await page.waitForSelector('#alert-total');
    await page.waitForFunction((b) => Number(document.querySelector('#alert-total').textContent) > b, before);
    await page.waitForSelector('.actions li:has-text("alerts.triage")');
    await page.waitForSelector('#updated'); // redrawn every 30 s, saying when
    await shot('06-overview');

    // The incident vigil opened by itself: its clocks count down here.
    await page.goto(BASE + '/#/incidents');
    await page.waitForSelector('a.incident-link');
    await shot('07-incidents');
    await page.locator('a.incident-link').last().click();
    await page.waitForSelector('#incident-title');
    // (the account-compromise playbook starts the UK GDPR clocks)
    await page.waitForSelector('#clocks td.left');
    const t1 = await page.textContent('#clocks td.left');
    await page.waitForTimeout(1500);
    const t2 = await page.textContent('#clocks td.left');
    if (!/\d\d:\d\d:\d\d/.test(t1) || t1 === t2) throw new Error(`the clock does not count down: ${t1} / ${t2}`);
    if (await page.locator('#drafts details').count() === 0) throw new Error('no draft notification');
    // A task done.
    await page.locator('#tasks button.mark-done').first().click();
    await page.waitForSelector('#tasks tr.task-done');
    await shot('08-incident-clocks');

    // An incident of our own, from the alert.
    await page.goto(BASE + '/#/alerts?state=closed');
    await page.locator('a.alert-link', { hasText: 'Root login over SSH' }).first().click();
    await page.waitForSelector('#detail-incident');
    await page.click('#detail-incident');
    await page.waitForURL(/#\/incident\/\d+$/);
    await page.waitForSelector('#incident-title:has-text("Root login over SSH")');
    await page.waitForSelector('#incident-alerts li:has-text("Root login over SSH")');
    await page.fill('#note-text', 'checked the login with the host owner');
    await page.click('#note-form button[type=submit]');
    await page.waitForSelector('#timeline tr:has-text("checked the login")');

    // Block the address: a confirmation first, then the record.
    await page.fill('#block-target', '198.51.100.77');
    await page.click('#incident-block');
    await page.waitForSelector('#confirm[open]');
    await shot('09-confirm-block');
    await page.click('#confirm-ok');
    const want = MODE === 'real' ? 'active' : 'dry-run';
    await page.waitForSelector(`#incident-actions td.state:has-text("${want}")`);
    await page.waitForSelector('#timeline tr:has-text("block 198.51.100.77")');
    if (MODE === 'real') {
      await page.click('#incident-actions button.undo');
      await page.waitForSelector('#confirm[open]');
      await page.click('#confirm-ok');
      await page.waitForSelector('#incident-actions td.state:has-text("undone")');
      await page.waitForSelector('#timeline tr:has-text("undo of action")');
    }
    // Every entry of ours names ana.
    const rows = await page.$$eval('#timeline tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    const ours = rows.filter((r) => /checked the login|block 198|undo of action|opened:|alert added/.test(r[3]));
    if (ours.length < (MODE === 'real' ? 5 : 4) || ours.some((r) => r[1] !== 'ana'))
      throw new Error('timeline entries without ana: ' + JSON.stringify(rows));
    await shot('10-incident-timeline');

    // The response record, and the views over the other domains.
    await page.goto(BASE + '/#/actions');
    await page.waitForSelector(`#action-rows td.state:has-text("${MODE === 'real' ? 'undone' : 'dry-run'}")`);
    await shot('11-response-actions');
    for (const [route, sel, name] of [['files', '#category-rows', '12-files'], ['network', '#category-rows', '13-network'],
                                      ['releases', '#release-rows', '14-release-checks']]) {
      await page.goto(BASE + '/#/' + route);
      await page.waitForSelector(sel);
      if (await page.locator('#not-configured').count() > 0) throw new Error(route + ' says not configured');
      await shot(name);
    }

    // The wall screen.
    await page.setViewportSize({ width: 2560, height: 1440 });
    await page.goto(BASE + '/#/overview');
    await page.waitForSelector('#alert-total');
    await shot('15-overview-wall');

    // Sign out: the dashboard is closed again.
    await page.click('#logout');
    await page.waitForURL(/\/login$/);
    if (errors.length) throw new Error('page errors: ' + errors.join('; '));
    console.log(`PASS browser (response ${MODE}): screenshots in ${SHOTS}`);
  } catch (e) {
    await shot('99-failure').catch(() => {});
    console.log('FAIL ' + e.message);
    process.exitCode = 1;
  } finally {
    await context.close();
  }
}
main();
