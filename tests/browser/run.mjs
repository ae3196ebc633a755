#!/usr/bin/env node
// Browser tests of the web dashboard against a real cityops: the test starts the server on a free port with a small
// seeded city, drives Debian's chromium headless through playwright-core (web/node_modules), and stops everything by
// PID at the end. Screenshots go to --artifacts (build/test-artifacts/) for a reviewer to look at.
//
//   node tests/browser/run.mjs --cityops-bin build/debug/cityops [--web-root web/dist] [--artifacts build/test-artifacts]
//                              [--chromium /usr/bin/chromium] [--keep] [--only NAME]
//
// Prints one line per test and closes with "N passed, M failed"; exits 1 on any failure.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');

// --- arguments --------------------------------------------------------------------------------------------------
const opts = {
  bin: process.env.CITYOPS_BIN ?? '',
  webRoot: join(repo, 'web', 'dist'),
  artifacts: join(repo, 'build', 'test-artifacts'),
  chromium: '/usr/bin/chromium',
  keep: false,
  only: '',
};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const next = () => process.argv[++i];
  if (a === '--cityops-bin') opts.bin = next();
  else if (a.startsWith('--cityops-bin=')) opts.bin = a.slice(14);
  else if (a === '--web-root') opts.webRoot = next();
  else if (a === '--artifacts') opts.artifacts = next();
  else if (a === '--chromium') opts.chromium = next();
  else if (a === '--only') opts.only = next();
  else if (a === '--keep') opts.keep = true;
  else {
    console.error(`unknown argument ${a}`);
    process.exit(2);
  }
}
const fail = (why) => {
  console.error(`browser tests: ${why}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
};
if (!opts.bin || !existsSync(opts.bin)) fail(`no cityops binary (--cityops-bin): '${opts.bin}'`);
if (!existsSync(join(opts.webRoot, 'index.html')))
  fail(`the dashboard is not built: no ${opts.webRoot}/index.html (run \`make build\` or \`cd web && npm run build\`)`);
if (!existsSync(opts.chromium)) fail(`no chromium at ${opts.chromium} (\`make deps\` installs Debian's chromium)`);
const playwrightPath = join(repo, 'web', 'node_modules', 'playwright-core', 'index.mjs');
if (!existsSync(playwrightPath)) fail('playwright-core is not installed (run `make deps`: npm ci in web/)');
const { chromium } = await import(pathToFileURL(playwrightPath).href);

const ADMIN_PASSWORD = 'browser-Admin-password-2025';
const USERS = { operator: ['lan.nguyen', 'lan-operator-pass-2025'], viewer: ['minh.tran', 'minh-viewer-pass-2025'] };
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

// --- the city --------------------------------------------------------------------------------------------------
// Five point entities about 2 km apart (unclustered at zoom 13) and a flood zone watching the first station.
const ENTITIES = [
  { id: 'wl.test.a', type: 'WaterLevelStation', name: 'Trạm thủy văn Tam Kỳ', point: [108.482, 15.567], attrs: 'name_en = "Tam Kỳ hydrological station"\nriver = "Tam Kỳ"\nbd1 = 1.7\nbd2 = 2.2\nbd3 = 2.7' },
  { id: 'wl.test.b', type: 'WaterLevelStation', name: 'Trạm thủy văn Bàn Thạch', point: [108.455, 15.59], attrs: 'bd1 = 2.0\nbd2 = 2.5\nbd3 = 3.0' },
  { id: 'rain.test', type: 'RainGauge', name: 'Trạm đo mưa Tam Kỳ', point: [108.5, 15.585], attrs: 'unit = "mm"' },
  { id: 'cam.test', type: 'TrafficCamera', name: 'Camera Phan Chu Trinh – Hùng Vương', point: [108.47, 15.548], attrs: 'street = "Phan Chu Trinh"' },
  { id: 'aq.test', type: 'AirQualityStation', name: 'Trạm quan trắc không khí trung tâm', point: [108.44, 15.565], attrs: 'name_en = "Central air quality station"' },
];
const ZONE = { id: 'zone.test', polygon: [[108.478, 15.558], [108.493, 15.556], [108.501, 15.565], [108.495, 15.574], [108.482, 15.57], [108.478, 15.558]] };

function configToml() {
  let t = '# Written by tests/browser/run.mjs\n[city]\nname = "Tam Kỳ"\ntimezone = "Asia/Ho_Chi_Minh"\ncenter = { lat = 15.5700, lon = 108.4700 }\n\n';
  t += '[security]\nrate_limit = 0\nanonymous_rate_limit = 0\n\n';
  // No basemap: the test never reaches outside the machine; the local vector layers show the city.
  t += '[ui]\ntile_url = ""\nzoom = 13\n\n';
  for (const e of ENTITIES) {
    t += `[[entity]]\nid = "${e.id}"\ntype = "${e.type}"\nname = "${e.name}"\npoint = [${e.point.join(', ')}]\n[entity.attributes]\n${e.attrs}\n\n`;
  }
  t += `[[entity]]\nid = "${ZONE.id}"\ntype = "Zone"\nname = "Vùng trũng ven sông"\ngeometry = { type = "Polygon", coordinates = [[${ZONE.polygon.map((p) => `[${p.join(', ')}]`).join(', ')}]] }\n[entity.attributes]\ncategory = "flood-risk"\nwatch_station = "wl.test.a"\n`;
  return t;
}

// --- the server ------------------------------------------------------------------------------------------------
const dataDir = mkdtempSync(join(tmpdir(), 'cityops-browser-'));
let server = null;
let serverLog = '';

function startServer() {
  writeFileSync(join(dataDir, 'city.toml'), configToml());
  const args = ['serve', '--config', join(dataDir, 'city.toml'), '--listen', '127.0.0.1:0', '--data', join(dataDir, 'data'),
    '--web', opts.webRoot, '--threads', '2'];
  // setpriv --pdeathsig: the kernel kills the server if this script dies without cleaning up.
  const usePdeath = spawnSync('setpriv', ['--help'], { encoding: 'utf8' }).stdout?.includes('pdeathsig');
  const [cmd, argv] = usePdeath ? ['setpriv', ['--pdeathsig', 'KILL', opts.bin, ...args]] : [opts.bin, args];
  server = spawn(cmd, argv, {
    env: { ...process.env, CITYOPS_ADMIN_PASSWORD: ADMIN_PASSWORD, ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? 'detect_leaks=0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not log its port within 60 s:\n${serverLog.slice(-3000)}`)), 60_000);
    const onData = (chunk) => {
      serverLog += chunk.toString();
      if (serverLog.length > 4e6) serverLog = serverLog.slice(-2e6);
      const m = /cityops serving .* on http:\/\/127\.0\.0\.1:(\d+) /.exec(serverLog);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.on('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? sig}) before listening:\n${serverLog.slice(-3000)}`));
    });
  });
}

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  const t = setTimeout(() => server.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(t);
}

// --- HTTP helpers ----------------------------------------------------------------------------------------------
let base = '';
async function call(method, path, token, body) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, text, json };
}
async function login(user, password) {
  const r = await call('POST', '/api/v1/auth/login', '', { username: user, password });
  if (r.status !== 200) throw new Error(`login ${user}: ${r.status} ${r.text}`);
  return r.json.token;
}
const post = async (token, observations) => {
  const r = await call('POST', '/api/v1/observations', token, observations);
  if (r.status !== 200) throw new Error(`POST /api/v1/observations: ${r.status} ${r.text}`);
};
const iso = (ms) => new Date(ms).toISOString();

// --- the tests -------------------------------------------------------------------------------------------------
const results = [];
const consoleErrors = [];
let browser = null;
const ctx = {};

async function test(name, fn) {
  if (opts.only && !name.includes(opts.only)) return;
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok - ${name} (${Date.now() - t0} ms)`);
  } catch (err) {
    results.push({ name, ok: false });
    console.log(`not ok - ${name} (${Date.now() - t0} ms)\n    ${String(err?.stack ?? err).split('\n').slice(0, 6).join('\n    ')}`);
  }
}
function assert(cond, message) {
  if (!cond) throw new Error(message);
}
async function shot(page, name) {
  await page.screenshot({ path: join(opts.artifacts, `${name}.png`) });
}

function watch(page, who) {
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${who}: console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${who}: uncaught: ${e.message}`));
  return page;
}

async function signIn(page, [user, password]) {
  await page.goto(base + '/');
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await page.click('form.login-form button[type=submit]');
  await page.waitForSelector('.map[data-ready=true]', { timeout: 20_000 });
}

const guard = setTimeout(() => {
  console.log('not ok - the browser tests did not finish within 240 s');
  void shutdown(1);
}, 240_000);

async function shutdown(code) {
  clearTimeout(guard);
  try {
    await browser?.close();
  } catch {}
  await stopServer();
  if (!opts.keep) rmSync(dataDir, { recursive: true, force: true });
  else console.log(`kept ${dataDir}`);
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => void shutdown(130));

async function main() {
  mkdirSync(opts.artifacts, { recursive: true });
  const port = await startServer();
  base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const r = await call('GET', '/readyz').catch(() => ({ status: 0 }));
    if (r.status === 200) break;
    if (i > 300) throw new Error('/readyz never answered 200');
    await new Promise((r) => setTimeout(r, 100));
  }
  const admin = await login('admin', ADMIN_PASSWORD);
  for (const [role, [user, password]] of Object.entries(USERS)) {
    const r = await call('POST', '/api/v1/users', admin, { username: user, role, password });
    if (r.status !== 201) throw new Error(`creating ${user}: ${r.status} ${r.text}`);
  }
  // An hour of readings, then the latest ones.
  const now = Date.now();
  const obs = [];
  for (let i = 12; i >= 1; i--) {
    const t = iso(now - i * 5 * 60_000);
    obs.push({ entity: 'wl.test.a', metric: 'water_level_m', time: t, value: +(1.1 + (12 - i) * 0.015).toFixed(3) });
    obs.push({ entity: 'wl.test.b', metric: 'water_level_m', time: t, value: 1.2 });
    obs.push({ entity: 'rain.test', metric: 'rain_mm', time: t, value: 0.4 });
    obs.push({ entity: 'cam.test', metric: 'vehicle_count', time: t, value: 30 + i });
    obs.push({ entity: 'cam.test', metric: 'avg_speed_kmh', time: t, value: 31 });
    obs.push({ entity: 'aq.test', metric: 'pm25', time: t, value: 21 });
  }
  obs.push({ entity: 'aq.test', metric: 'aqi_vn', time: iso(now - 10 * 60_000), value: 72 });
  await post(admin, obs);
  ctx.admin = admin;

  browser = await chromium.launch({ executablePath: opts.chromium, args: LAUNCH_ARGS, headless: true });
  const desktop = { viewport: { width: 1600, height: 960 }, locale: 'vi-VN', timezoneId: 'Europe/Paris' };

  await test('the sign-in page is served with the CSP and no inline code', async () => {
    const page = watch(await (ctx.ctxA = await browser.newContext(desktop)).newPage(), 'operator');
    ctx.pageA = page;
    const res = await page.goto(base + '/');
    assert(res.status() === 200, `GET / answered ${res.status()}`);
    const csp = res.headers()['content-security-policy'] ?? '';
    assert(csp.includes("script-src 'self'") && !csp.includes('unsafe-inline'), `CSP: ${csp}`);
    assert((res.headers()['cache-control'] ?? '') === 'no-cache', 'the page is revalidated');
    const html = await res.text();
    assert(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html), 'an inline <script> in index.html');
    assert(!/\sstyle=/i.test(html) && !/<style/i.test(html), 'inline styles in index.html');
    await page.waitForSelector('form.login-form');
    assert((await page.textContent('.login-card h1')) === 'Đăng nhập', 'Vietnamese by default');
    await shot(page, '01-login');
  });

  await test('a wrong password is refused with a message', async () => {
    const page = ctx.pageA;
    await page.fill('input[name=username]', USERS.operator[0]);
    await page.fill('input[name=password]', 'not-the-password-123');
    await page.click('form.login-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('[data-testid=login-error]')?.textContent?.length > 0);
    assert((await page.textContent('[data-testid=login-error]')).includes('Sai tên đăng nhập'), 'the refusal is shown');
    // Chrome logs the refused login's 401 as a failed resource: expected here, and only here.
    const expected = consoleErrors.filter((e) => e.includes('status of 401'));
    assert(expected.length <= 1, `401s: ${expected.join(', ')}`);
    consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((e) => !e.includes('status of 401')));
  });

  await test('an operator signs in and the map shows a marker for each seeded entity', async () => {
    const page = ctx.pageA;
    await signIn(page, USERS.operator);
    for (const e of ENTITIES) await page.waitForSelector(`.mk[data-entity="${e.id}"]`, { state: 'visible', timeout: 10_000 });
    await page.waitForSelector(`path[data-entity="${ZONE.id}"]`, { timeout: 10_000 });
    const station = await page.getAttribute('.mk[data-entity="wl.test.a"]', 'class');
    assert(station.includes('lvl-0'), `station below level I is green: ${station}`);
    const aq = await page.getAttribute('.mk[data-entity="aq.test"]', 'class');
    assert(aq.includes('aqi-2'), `AQI 72 is "Trung bình": ${aq}`);
    const cam = await page.textContent('.mk[data-entity="cam.test"] .mk-label');
    assert(cam === '31', `the camera shows its latest count: ${cam}`);
    await page.waitForFunction(() => document.querySelector('[data-kpi=sensors] .kpi-value')?.textContent === '5 / 0', null, { timeout: 3000 });
    await page.waitForSelector('[data-testid=connection][data-state=live]', { timeout: 10_000 });
    await shot(page, '02-dashboard');
  });

  await test('the station detail opens with its chart', async () => {
    const page = ctx.pageA;
    await page.click('.mk[data-entity="wl.test.a"]');
    await page.waitForSelector('.detail[data-entity="wl.test.a"] .chart canvas', { timeout: 10_000 });
    await page.waitForFunction(() => Number(document.querySelector('.detail .chart')?.dataset.points) >= 12, null, { timeout: 10_000 });
    const legend = await page.textContent('.detail .chart');
    assert(legend.includes('BĐ III'), 'alarm levels drawn as lines in the legend');
    // Ranges: 7 days uses buckets (min–max band), back to 24 hours.
    await page.click('.detail .range-presets button[data-range="7d"]');
    await page.waitForFunction(() => document.querySelector('.detail .chart-meta')?.textContent?.includes('Trung bình mỗi'), null, { timeout: 10_000 });
    await page.click('.detail .range-presets button[data-range="24h"]');
    await page.waitForFunction(() => document.querySelector('.detail .chart-meta')?.textContent?.includes('Số liệu gốc'), null, { timeout: 10_000 });
    await page.waitForFunction(() => Number(document.querySelector('.detail .chart')?.dataset.points) >= 12, null, { timeout: 10_000 });
  });

  await test('an observation posted through the API updates the marker and the open chart within 2 s', async () => {
    const page = ctx.pageA;
    const t0 = Date.now();
    await post(ctx.admin, [{ entity: 'wl.test.a', metric: 'water_level_m', time: iso(Date.now()), value: 1.93 }]);
    await page.waitForFunction(() => {
      const mk = document.querySelector('.mk[data-entity="wl.test.a"]');
      const chart = document.querySelector('.detail[data-entity="wl.test.a"] .chart');
      return mk?.classList.contains('lvl-1') && mk.querySelector('.mk-label')?.textContent === '1,93 m' && chart?.dataset.lastValue === '1.93';
    }, null, { timeout: 2000 });
    ctx.updateMs = Date.now() - t0;
    console.log(`    marker and chart updated ${ctx.updateMs} ms after the POST`);
  });

  await test('a triggering observation makes a critical alert appear, with the banner', async () => {
    const page = ctx.pageA;
    await post(ctx.admin, [{ entity: 'wl.test.a', metric: 'water_level_m', time: iso(Date.now()), value: 2.95 }]);
    const sel = '.alert[data-entity="wl.test.a"][data-severity="critical"][data-state="active"]';
    await page.waitForSelector(sel, { timeout: 10_000 });
    await page.waitForSelector('[data-testid=critical-banner]:not([hidden])', { timeout: 5000 });
    ctx.alertId = await page.getAttribute(sel, 'data-alert-id');
    assert((await page.getAttribute('.mk[data-entity="wl.test.a"]', 'class')).includes('has-alert'), 'the marker is highlighted');
    await page.waitForFunction(() => document.querySelector('[data-kpi=alarm] .kpi-value')?.textContent === 'Báo động III', null, { timeout: 3000 });
    const first = await page.getAttribute('.alert-list .alert', 'data-alert-id');
    assert(first === ctx.alertId, 'the most severe alert is listed first');
    await shot(page, '03-critical-alert');
  });

  await test('acknowledging it changes its state for a second browser session too', async () => {
    ctx.ctxB = await browser.newContext(desktop);
    const pageB = watch(await ctx.ctxB.newPage(), 'viewer');
    await signIn(pageB, USERS.viewer);
    const selB = `.alert[data-alert-id="${ctx.alertId}"]`;
    await pageB.waitForSelector(`${selB}[data-state="active"]`, { timeout: 10_000 });
    assert((await pageB.$(`${selB} button[data-action=ack]`)) === null, 'a viewer gets no acknowledge button');
    const pageA = ctx.pageA;
    await pageA.click('[data-testid=critical-banner] .icon-btn');
    await pageA.click(`.alert[data-alert-id="${ctx.alertId}"] button[data-action=ack]`);
    await pageA.waitForSelector(`.alert[data-alert-id="${ctx.alertId}"][data-state="acknowledged"]`, { timeout: 5000 });
    await pageB.waitForSelector(`${selB}[data-state="acknowledged"]`, { timeout: 5000 });
    assert((await pageB.textContent(`${selB} [data-testid=state]`)) === 'Đã tiếp nhận', 'the second session shows it acknowledged');
    // A comment from the operator, then the second session sees who acted.
    await pageA.click(`.alert[data-alert-id="${ctx.alertId}"] button[data-action=comment]`);
    await pageA.fill(`.alert[data-alert-id="${ctx.alertId}"] textarea`, 'Đội ứng cứu đang đến / crew on the way');
    await pageA.click(`.alert[data-alert-id="${ctx.alertId}"] form button[type=submit]`);
    await pageA.waitForSelector(`.alert[data-alert-id="${ctx.alertId}"] form`, { state: 'detached', timeout: 5000 });
    ctx.pageB = pageB;
    await shot(pageB, '04-second-session');
  });

  await test('the language switch changes the UI text', async () => {
    const page = ctx.pageA;
    assert((await page.textContent('.alerts-panel .panel-head h2')) === 'Cảnh báo', 'Vietnamese first');
    await page.click('.topbar button[data-lang=en]');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert((await page.textContent('.alerts-panel .panel-head h2')) === 'Alerts', 'the panel title in English');
    assert((await page.textContent(`.alert[data-alert-id="${ctx.alertId}"] [data-testid=state]`)) === 'Acknowledged', 'states in English');
    assert((await page.textContent('[data-kpi=alarm] .kpi-value')) === 'Alarm level III', 'KPIs in English');
    assert((await page.textContent('.detail .range-presets button[data-range="24h"]')) === '24 h', 'the detail view in English');
    await shot(page, '05-dashboard-en');
    await page.click('.topbar button[data-lang=vi]');
    await page.waitForFunction(() => document.documentElement.lang === 'vi');
    assert((await page.textContent('.alerts-panel .panel-head h2')) === 'Cảnh báo', 'back to Vietnamese');
  });

  await test('the camera detail shows its live count and its live view, or says there is none yet', async () => {
    const page = ctx.pageA;
    await page.click('.mk[data-entity="cam.test"]');
    await page.waitForSelector('.detail[data-entity="cam.test"] .snapshot :is(img, .snapshot-none)', { timeout: 10_000 });
    const big = await page.textContent('.detail[data-entity="cam.test"] .big-value');
    assert(big === '31 xe/phút', `the count: ${big}`);
    await page.waitForFunction(() => Number(document.querySelector('.detail .chart')?.dataset.points) >= 12, null, { timeout: 10_000 });
    await shot(page, '07-camera');
    await page.click('.detail .detail-close');
  });

  await test('the public page works without login on a phone', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'vi-VN' });
    const page = watch(await phone.newPage(), 'public');
    const res = await page.goto(base + '/public');
    assert(res.status() === 200, `GET /public answered ${res.status()}`);
    await page.waitForSelector('[data-testid=air][data-station="aq.test"]', { timeout: 10_000 });
    assert((await page.textContent('[data-testid=air][data-station="aq.test"] .aqi-num .n')) === '72', 'the AQI of the station');
    await page.waitForSelector('[data-testid=warning]', { timeout: 10_000 });
    const warning = await page.textContent('[data-testid=warning]');
    assert(warning.includes('Tam Kỳ'), `the flood warning names the station: ${warning.slice(0, 200)}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert(width <= 390, `no horizontal scrolling on a phone (${width} px)`);
    await shot(page, '06-public-phone');
    await page.screenshot({ path: join(opts.artifacts, '06-public-phone-full.png'), fullPage: true });
    await phone.close();
  });

  await test('assets: immutable caching, 304 on revalidation, JSON 404 and no way out of the root', async () => {
    const page = await call('GET', '/');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
    assert(asset, 'the page references its script');
    const a = await call('GET', asset);
    assert(a.status === 200 && a.headers.get('cache-control') === 'public, max-age=31536000, immutable', `asset caching: ${a.headers.get('cache-control')}`);
    const etag = a.headers.get('etag');
    const again = await fetch(base + asset, { headers: { 'If-None-Match': etag } });
    assert(again.status === 304, `revalidation: ${again.status}`);
    const missing = await call('GET', '/assets/nope-12345678.js');
    assert(missing.status === 404 && missing.json?.error === 'not_found', `missing asset: ${missing.status} ${missing.text}`);
    const escape = await fetch(base + '/assets/%2e%2e/%2e%2e/city.toml');
    assert(escape.status === 404, `traversal: ${escape.status}`);
    const ui = await call('GET', '/api/v1/ui/config');
    assert(ui.status === 200 && ui.json.city === 'Tam Kỳ' && ui.json.timezone === 'Asia/Ho_Chi_Minh', `ui config: ${ui.text}`);
  });

  await test('10 000 entities: the map loads them clustered and stays responsive', async () => {
    // West of the test city, so that the earlier checks are not affected; no readings (no alerts).
    const many = [];
    for (let i = 0; i < 10000; i++)
      many.push({ id: `load.${i}`, type: 'LoadSensor', geometry: { type: 'Point', coordinates: [108.05 + (i % 100) * 0.003, 15.3 + Math.floor(i / 100) * 0.002] } });
    const r = await call('POST', '/api/v1/entities', ctx.admin, many);
    assert(r.status === 201, `creating 10 000 entities: ${r.status} ${r.text.slice(0, 200)}`);
    const page = watch(await ctx.ctxA.newPage(), 'operator-10k');
    // The session token lives in the tab (sessionStorage): a new tab signs in.
    await page.goto(base + '/');
    await page.fill('input[name=username]', USERS.operator[0]);
    await page.fill('input[name=password]', USERS.operator[1]);
    const t0 = Date.now();
    await page.click('form.login-form button[type=submit]');
    await page.waitForSelector('.map[data-ready=true]', { timeout: 30_000 });
    const readyMs = Date.now() - t0;
    await page.click('.layers-panel input[data-layer="LoadSensor"]');
    await page.click('.layers-panel input[data-layer="LoadSensor"]');
    const map = await page.$('.map');
    const box = await map.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    const fps = page.evaluate(() => new Promise((done) => {
      let n = 0;
      const t = performance.now();
      const f = () => (++n, performance.now() - t < 1500 ? requestAnimationFrame(f) : done((n * 1000) / (performance.now() - t)));
      requestAnimationFrame(f);
    }));
    for (let i = 0; i < 30; i++) {
      await page.mouse.move(box.x + box.width / 2 + i * 12, box.y + box.height / 2 + i * 4);
      await page.waitForTimeout(30);
    }
    await page.mouse.up();
    console.log(`    ready in ${readyMs} ms with 10 006 entities; ${(await fps).toFixed(0)} frames/s while panning (software rendering)`);
    assert(readyMs < 20_000, `the map took ${readyMs} ms`);
    assert((await page.$$('.mk')).length < 400, 'markers are clustered, not all in the DOM');
    await page.close();
  });

  await test('no console errors', async () => {
    // The sessions end cleanly (the operator signs out), then nothing may have been logged as an error.
    await ctx.pageA.click('[data-testid=logout]');
    await ctx.pageA.waitForSelector('form.login-form', { timeout: 5000 });
    assert(consoleErrors.length === 0, `console errors:\n${consoleErrors.join('\n')}`);
  });
}

let code = 0;
try {
  await main();
} catch (err) {
  console.log(`not ok - setting up: ${err?.stack ?? err}`);
  results.push({ name: 'setup', ok: false });
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
if (failed) {
  code = 1;
  console.log(`--- server log (last lines) ---\n${serverLog.split('\n').slice(-40).join('\n')}`);
}
console.log(`screenshots in ${opts.artifacts}`);
console.log(`${passed} passed, ${failed} failed`);
await shutdown(code);
