#!/usr/bin/env node
// Takes the README's screenshots of the dashboard from the Tam Kỳ demo: starts `cityops serve --demo` with the
// example city in a temporary data directory (no basemap: the local layers only, so that the pictures do not depend
// on the network), signs in as the demo operator, posts one reading above alarm level III at the Tam Kỳ station
// (to show an alert), and writes PNGs. Stops the server by PID.
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
writeFileSync(config, readFileSync(join(repo, 'examples', 'tamky', 'cityops.toml'), 'utf8') + '\n[ui]\ntile_url = ""\nzoom = 14\n');
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
  await page.waitForTimeout(1500);
  await page.screenshot({ path: join(opts.out, 'dashboard.png') });

  // An alarm: one reading above BĐ III (2.7 m) at the Tam Kỳ station, the station's detail open.
  await page.click('.mk[data-entity="wl.tamky"]');
  await page.waitForSelector('.detail[data-entity="wl.tamky"] .chart canvas');
  await call('POST', '/api/v1/observations', token, [{ entity: 'wl.tamky', metric: 'water_level_m', time: new Date().toISOString(), value: 2.85 }]);
  await page.waitForSelector('.alert[data-entity="wl.tamky"][data-severity="critical"]', { timeout: 15_000 });
  await page.waitForTimeout(1200);
  await page.screenshot({ path: join(opts.out, 'dashboard-alert.png') });

  await page.click('.topbar button[data-lang=en]');
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(opts.out, 'dashboard-en.png') });

  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, locale: 'vi-VN' })).newPage();
  await phone.goto(base + '/public');
  await phone.waitForSelector('[data-testid=warning]', { timeout: 15_000 });
  await phone.waitForTimeout(1000);
  await phone.screenshot({ path: join(opts.out, 'public-phone.png'), fullPage: true });
  console.log(`screenshots in ${opts.out}`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
