// express + express-session + connect-redis (app.js) with its sessions in
// the server on 127.0.0.1:PORT, driven by headless Chromium (Debian's
// /usr/bin/chromium, or $CHROMIUM) through playwright-core.
//   node express_test.mjs PORT
// Login by form post; the session cookie survives reloads and a restart of
// the app process; express-session's touch refreshes the key's TTL; logout
// deletes the key; a session expires server-side at its TTL. The keys are
// observed through a separate ioredis connection.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Results, packageVersion, serverPort, withDeadline, EVENT_DEADLINE_MS } from './results.mjs';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const Redis = require('ioredis');
const here = path.dirname(fileURLToPath(import.meta.url));
const redisPort = serverPort();
const res = new Results('express');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
console.log(`client: express ${packageVersion('express')}, express-session ${packageVersion('express-session')}, `
  + `connect-redis ${packageVersion('connect-redis')} over node-redis ${packageVersion('redis')}, `
  + `playwright-core ${packageVersion('playwright-core')}, ioredis ${packageVersion('ioredis')} (observer)`);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const appPort = await freePort();
const base = `http://127.0.0.1:${appPort}`;
let app = null;
let appLog = '';

// Starts app.js; resolves once it prints "listening".
function startApp(maxAgeMs) {
  const child = spawn(process.execPath, [path.join(here, 'app.js')], {
    cwd: here, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, APP_PORT: String(appPort), REDIS_PORT: String(redisPort), MAX_AGE_MS: String(maxAgeMs) },
  });
  app = child;
  const ready = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      appLog += d;
      if (String(d).includes('listening')) resolve();
    });
    child.stderr.on('data', (d) => { appLog += d; });
    child.on('exit', (code) => reject(new Error(`app exited with ${code}: ${appLog.slice(-1500)}`)));
  });
  return withDeadline(ready, 'app start');
}

// Stops the app by its pid and waits for it to exit.
async function stopApp() {
  if (!app || app.exitCode !== null) return;
  const exited = new Promise((resolve) => app.once('exit', resolve));
  app.kill('SIGTERM');
  await withDeadline(exited, 'app exit').catch(() => app.kill('SIGKILL'));
}

// The session id inside express-session's signed cookie "s:<id>.<signature>".
async function sessionKey(context) {
  const c = (await context.cookies(base)).find((x) => x.name === 'connect.sid');
  if (!c) return null;
  const v = decodeURIComponent(c.value);
  return v.startsWith('s:') ? 'sess:' + v.slice(2, v.lastIndexOf('.')) : null;
}

async function pageText(page, selector) {
  const el = await page.$(selector);
  return el ? (await el.textContent()).trim() : null;
}

const observer = new Redis({ host: '127.0.0.1', port: redisPort, lazyConnect: true, maxRetriesPerRequest: 0,
  retryStrategy: () => null });
let browser = null;
try {
  await observer.connect();
  await res.step('long-lived session', async () => {
    await startApp(600000);
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true,
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-dev-shm-usage'] });
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(EVENT_DEADLINE_MS);
    await page.goto(base + '/');
    res.eq(await pageText(page, '#anon'), 'Please log in', 'first visit shows the login form');
    res.eq(await sessionKey(context), null, 'no session cookie before login (saveUninitialized: false)');

    await page.fill('#user', 'ada');
    await Promise.all([page.waitForNavigation(), page.click('#login')]);
    res.eq(await pageText(page, '#hello'), 'Hello ada', 'after the login form post: logged in');
    const key = await sessionKey(context);
    res.check(key !== null, 'login set the signed session cookie');
    const stored = JSON.parse((await observer.get(key)) || 'null');
    res.eq(stored && stored.user, 'ada', `the store holds the session under ${key}`);
    const ttl = await observer.ttl(key);
    res.check(ttl > 0 && ttl <= 600, 'the session key has the cookie maxAge as its TTL (0, 600]', String(ttl));

    await page.reload();
    res.eq(await pageText(page, '#hello'), 'Hello ada', 'still logged in after a reload');
    await stopApp();
    await startApp(600000);
    await page.reload();
    res.eq(await pageText(page, '#hello'), 'Hello ada', 'still logged in after the app process restarted');
    res.eq(await sessionKey(context), key, 'same session across the restart');

    // touch: an unmodified session's key gets its TTL back on each request.
    const before = await observer.pttl(key);
    await sleep(1100); // lets the key's remaining TTL visibly fall below the last touch
    const aged = await observer.pttl(key);
    res.check(aged > 0 && aged < before, 'the remaining TTL falls while no request comes', `${before} -> ${aged}`);
    await page.reload();
    res.eq(await pageText(page, '#hello'), 'Hello ada', 'reload after the pause: still logged in');
    const touched = await observer.pttl(key);
    res.check(touched > aged && touched <= 600000, 'express-session touch refreshed the TTL',
      `PTTL before reload ${aged}, after ${touched}`);

    await Promise.all([page.waitForNavigation(), page.click('#logout')]);
    res.eq(await pageText(page, '#anon'), 'Please log in', 'after logout: the login form');
    res.eq(await observer.exists(key), 0, 'logout deleted the session key');
    await context.close();
  });

  await res.step('session expiring at its TTL', async () => {
    await stopApp();
    await startApp(3000);
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(EVENT_DEADLINE_MS);
    await page.goto(base + '/');
    await page.fill('#user', 'bob');
    await Promise.all([page.waitForNavigation(), page.click('#login')]);
    res.eq(await pageText(page, '#hello'), 'Hello bob', 'logged in with a 3 s session');
    const key = await sessionKey(context);
    const cookie = (await context.cookies(base)).find((x) => x.name === 'connect.sid');
    const pttl = await observer.pttl(key);
    res.check(pttl > 0 && pttl <= 3000, 'the key has a TTL of at most 3 s', String(pttl));
    // Bounded poll: the check is that the key goes, not how fast.
    const deadline = Date.now() + EVENT_DEADLINE_MS;
    while (Date.now() < deadline && (await observer.exists(key)) === 1) await sleep(100);
    res.eq(await observer.exists(key), 0, 'the server removed the session key at its TTL');
    // The old cookie, sent again, finds no session: logged out server-side.
    const r = await fetch(base + '/', { headers: { cookie: `connect.sid=${cookie.value}` } });
    const body = await r.text();
    res.check(body.includes('Please log in'), 'the expired session\'s cookie no longer logs in', body.slice(0, 300));
    await page.reload();
    res.eq(await pageText(page, '#anon'), 'Please log in', 'the browser is logged out after expiry');
    await context.close();
  });
} catch (e) {
  res.fail('express run', e && e.stack ? e.stack : String(e));
} finally {
  if (browser) await browser.close().catch(() => {});
  await stopApp();
  observer.disconnect();
}
if (res.failed && appLog) console.log('app output:\n' + appLog.slice(-3000));
res.finish();
