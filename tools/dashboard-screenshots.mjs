#!/usr/bin/env node
// Takes the README's screenshots of the dashboard from the Tam Kỳ demo: starts `cityops serve --demo` with the
// example city in a temporary data directory (no basemap: the local layers only, so that the pictures do not depend
// on the network), signs in as the demo operator and writes PNGs. Stops the server by PID.
//
// The demo's water levels stay below alarm level I, so the pictures stage a flood at the Tam Kỳ station: its
// [[simulate]] entry is left out of the copy of the configuration, and the script posts a day of tide followed by a
// three-hour rise to 2.65 m (BĐ II; slow enough for quality control), then, with the dashboard open, 2.75 m (BĐ III).
//
//   node tools/dashboard-screenshots.mjs --cityops-bin build/release/cityops [--out docs/img] [--chromium /usr/bin/chromium]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const opts = { bin: '', out: join(repo, 'docs', 'img'), chromium: '/usr/bin/chromium' };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--cityops-bin') opts.bin = process.argv[++i];
  else if (a === '--out') opts.out = process.argv[++i];
  else if (a === '--chromium') opts.chromium = process.argv[++i];
  else throw new Error(`unknown argument ${a}`);
}
if (!opts.bin || !existsSync(opts.bin)) throw new Error('--cityops-bin PATH is required');
const { chromium } = await import(pathToFileURL(join(repo, 'web', 'node_modules', 'playwright-core', 'index.mjs')).href);

const dir = mkdtempSync(join(tmpdir(), 'cityops-shots-'));
const config = join(dir, 'cityops.toml');
const example = readFileSync(join(repo, 'examples', 'tamky', 'cityops.toml'), 'utf8')
  .replace(/\[\[simulate\]\]\nentity = "wl\.tamky"[^[]*/, '')
  .replace(/^\[ui\]\n(?:[^[\n].*\n|\n)*/m, ''); // our own [ui] below
writeFileSync(config, example + '\n[ui]\ntile_url = ""\nzoom = 15\n');
const server = spawn(opts.bin, ['serve', '--config', config, '--listen', '127.0.0.1:0', '--data', join(dir, 'data'), '--demo',
  '--web', join(repo, 'web', 'dist')], { env: { ...process.env, CITYOPS_ADMIN_PASSWORD: 'screenshots-Admin-2025' }, stdio: ['ignore', 'pipe', 'pipe'] });
let log = '';
const port = await new Promise((ok, fail) => {
  const t = setTimeout(() => fail(new Error(`no port:\n${log}`)), 120_000);
  const on = (c) => {
    log += c;
    const m = /cityops serving .* on http:\/\/127\.0\.0\.1:(\d+) /.exec(log);
    if (m) {
      clearTimeout(t);
      ok(Number(m[1]));
    }
  };
  server.stdout.on('data', on);
  server.stderr.on('data', on);
});
const base = `http://127.0.0.1:${port}`;
const password = readFileSync(join(dir, 'data', 'demo-login.txt'), 'utf8').trim();
const call = async (method, path, token, body) => {
  const r = await fetch(base + path, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body && JSON.stringify(body) });
  return r.json();
};
const token = (await (await fetch(base + '/api/v1/auth/login', { method: 'POST', body: JSON.stringify({ username: 'operator', password }) })).json()).token;

// The staged flood: 24 h of semi-diurnal tide, then a rise of about 0.6 m/h over three hours.
{
  const now = Date.now();
  const obs = [];
  for (let t = now - 27 * 3.6e6; t < now - 3 * 3.6e6; t += 5 * 60_000)
    obs.push({ entity: 'wl.tamky', metric: 'water_level_m', time: new Date(t).toISOString(), value: +(0.6 + 0.3 * Math.sin((2 * Math.PI * t) / (745.2 * 60_000))).toFixed(2) });
  const start = obs[obs.length - 1].value;
  for (let i = 1; i <= 36; i++) {
    const t = now - 3 * 3.6e6 + i * 5 * 60_000 - 10 * 60_000;
    const x = i / 36;
    obs.push({ entity: 'wl.tamky', metric: 'water_level_m', time: new Date(t).toISOString(), value: +(start + (2.65 - start) * (x * x * (3 - 2 * x))).toFixed(2) });
  }
  await call('POST', '/api/v1/observations', token, obs);
}

mkdirSync(opts.out, { recursive: true });
const browser = await chromium.launch({ executablePath: opts.chromium, headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
try {
  const page = await (await browser.newContext({ viewport: { width: 1600, height: 940 }, locale: 'vi-VN' })).newPage();
  await page.goto(base + '/');
  await page.fill('input[name=username]', 'operator');
  await page.fill('input[name=password]', password);
  await page.click('form.login-form button[type=submit]');
  await page.waitForSelector('.map[data-ready=true]');
  await page.waitForSelector('[data-testid=connection][data-state=live]');
  await page.mouse.move(700, 900);
  await page.waitForTimeout(2500);
  await page.screenshot({ path: join(opts.out, 'dashboard.png') });

  // An alarm: one reading above BĐ III (2.7 m) at the Tam Kỳ station, the station's detail open.
  await page.click('.alert[data-entity="wl.tamky"]');
  await page.waitForSelector('.detail[data-entity="wl.tamky"] .chart canvas');
  await call('POST', '/api/v1/observations', token, [{ entity: 'wl.tamky', metric: 'water_level_m', time: new Date().toISOString(), value: 2.75 }]);
  await page.waitForSelector('.alert[data-entity="wl.tamky"][data-severity="critical"]', { timeout: 15_000 });
  await page.mouse.move(700, 900);
  await page.waitForTimeout(2500);
  await page.screenshot({ path: join(opts.out, 'dashboard-alert.png') });

  await page.click('.topbar button[data-lang=en]');
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(opts.out, 'dashboard-en.png') });

  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, locale: 'vi-VN' })).newPage();
  await phone.goto(base + '/public');
  await phone.waitForSelector('[data-testid=warning]', { timeout: 15_000 });
  await phone.waitForTimeout(1000);
  await phone.screenshot({ path: join(opts.out, 'public-phone.png') });
  console.log(`screenshots in ${opts.out}`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
