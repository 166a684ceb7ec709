// A minimal express app keeping its sessions in the server under test
// (express-session + connect-redis over node-redis), for express_test.mjs.
//   APP_PORT=N REDIS_PORT=N [MAX_AGE_MS=N] node app.js
// Pages: GET / (login form, or "Hello USER" with a logout form),
// POST /login (form field `user`), POST /logout (destroys the session).
// Prints "listening N" once it accepts connections.
'use strict';
const express = require('express');
const session = require('express-session');
const { RedisStore } = require('connect-redis');
const { createClient } = require('redis');

const appPort = Number(process.env.APP_PORT);
const redisPort = Number(process.env.REDIS_PORT);
const maxAge = Number(process.env.MAX_AGE_MS || 600000);

async function main() {
  // No reconnects: a store that drops the connection must fail the test.
  const client = createClient({ socket: { host: '127.0.0.1', port: redisPort, reconnectStrategy: false } });
  client.on('error', (e) => console.error('redis client error:', String(e)));
  await client.connect();

  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(session({
    store: new RedisStore({ client, prefix: 'sess:' }),
    secret: 'sessiond-test-secret',
    resave: false, // unmodified sessions are touched (EXPIRE), not rewritten
    saveUninitialized: false,
    cookie: { maxAge, httpOnly: true, sameSite: 'lax' },
  }));

  const page = (body) => `<!doctype html><html><head><title>sessiond app</title></head><body>${body}</body></html>`;
  app.get('/', (req, res) => {
    if (req.session.user) {
      res.send(page(`<p id="hello">Hello ${req.session.user}</p>
<form method="post" action="/logout"><button id="logout" type="submit">Log out</button></form>`));
    } else {
      res.send(page(`<p id="anon">Please log in</p>
<form method="post" action="/login"><input id="user" name="user"><button id="login" type="submit">Log in</button></form>`));
    }
  });
  app.post('/login', (req, res, next) => {
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.user = String(req.body.user || '').replace(/[^a-z0-9]/gi, '');
      req.session.save((err2) => (err2 ? next(err2) : res.redirect(303, '/')));
    });
  });
  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie('connect.sid');
      res.redirect(303, '/');
    });
  });
  app.use((err, req, res, _next) => {
    console.error('app error:', err && err.stack ? err.stack : String(err));
    res.status(500).send(page(`<p id="error">${String(err && err.message)}</p>`));
  });
  const server = app.listen(appPort, '127.0.0.1', () => console.log(`listening ${appPort}`));
  // closeAllConnections: the browser's keep-alive connections must not hold the exit.
  const stop = () => {
    server.close(() => client.quit().finally(() => process.exit(0)));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  console.error('app failed to start:', e && e.stack ? e.stack : String(e));
  process.exit(1);
});
