// node-redis against the server on 127.0.0.1:PORT.
//   node node_redis_test.mjs PORT [redis|redis4]
// redis (6.x) speaks RESP3 by default (HELLO 3 on connect); redis4 is an npm
// alias of redis@4, which speaks RESP2. One script covers both: their
// command APIs used here are the same.
import { createRequire } from 'node:module';
import { Results, packageVersion, serverPort, withDeadline } from './results.mjs';

const require = createRequire(import.meta.url);
const port = serverPort();
const pkg = process.argv[3] || 'redis';
const { createClient } = require(pkg);
const version = packageVersion(pkg);
const major = Number(version.split('.')[0]);
const res = new Results(pkg);
console.log(`client: node-redis ${version} (npm package ${pkg}, RESP${major >= 5 ? 3 : 2})`);

// No reconnects: a dropped connection must fail the run, not loop.
const options = { socket: { host: '127.0.0.1', port, reconnectStrategy: false } };
const r = createClient(options);
let sub = null;
const errors = [];
r.on('error', (e) => errors.push(String(e)));
const prefix = `noderedis:${pkg}:`;
try {
  await res.step('connect', async () => {
    await r.connect();
    res.eq(r.isReady, true, 'client ready after connect (handshake accepted)');
    res.eq(await r.ping(), 'PONG', 'PING');
    // The protocol the connection really negotiated (HELLO 3 for node-redis >= 5).
    const info = String(await r.sendCommand(['CLIENT', 'INFO']));
    res.check(new RegExp(`\\bresp=${major >= 5 ? 3 : 2}\\b`).test(info), `CLIENT INFO shows resp=${major >= 5 ? 3 : 2}`, info);
  });
  await res.step('SET EX / GET / TTL', async () => {
    res.eq(await r.set(prefix + 'k', 'v1', { EX: 100 }), 'OK', 'SET k v1 EX 100');
    res.eq(await r.get(prefix + 'k'), 'v1', 'GET k');
    const ttl = await r.ttl(prefix + 'k');
    res.check(ttl > 0 && ttl <= 100, 'TTL within (0, 100]', String(ttl));
    res.eq(await r.get(prefix + 'missing'), null, 'GET missing is null');
    res.eq(await r.ttl(prefix + 'missing'), -2, 'TTL missing is -2');
    res.eq(await r.exists(prefix + 'k'), 1, 'EXISTS');
    res.eq(await r.incrBy(prefix + 'n', 5), 5, 'INCRBY on a new key');
  });
  await res.step('MULTI/EXEC', async () => {
    const out = await r.multi().set(prefix + 'm', '1').incr(prefix + 'm').incrBy(prefix + 'm', 40)
      .get(prefix + 'm').exec();
    res.eq(out, ['OK', 2, 42, '42'], 'MULTI SET INCR INCRBY GET EXEC');
    res.eq(await r.get(prefix + 'm'), '42', 'value after EXEC');
    let threw = null;
    try {
      await r.multi().set(prefix + 'w', 'x').incr(prefix + 'w').exec();
    } catch (e) {
      threw = e;
    }
    res.check(threw !== null, 'EXEC with a failing INCR rejects', String(threw));
    res.eq(await r.get(prefix + 'w'), 'x', 'the SET before the failing INCR was applied');
  });
  await res.step('pub/sub', async () => {
    sub = r.duplicate();
    sub.on('error', (e) => errors.push('sub: ' + String(e)));
    await sub.connect();
    let deliver;
    const got = new Promise((resolve) => { deliver = resolve; });
    await sub.subscribe(prefix + 'ch', (message, channel) => deliver([channel, message]));
    res.eq(await r.publish(prefix + 'ch', 'hello'), 1, 'PUBLISH reaches one subscriber');
    res.eq(await withDeadline(got, 'message'), [prefix + 'ch', 'hello'], 'subscriber receives the message');
    let pdeliver;
    const pgot = new Promise((resolve) => { pdeliver = resolve; });
    await sub.pSubscribe(prefix + 'pat:*', (message, channel) => pdeliver([channel, message]));
    res.eq(await r.publish(prefix + 'pat:1', 'world'), 1, 'PUBLISH to a pattern');
    res.eq(await withDeadline(pgot, 'pmessage'), [prefix + 'pat:1', 'world'],
      'pattern subscriber receives the message');
    await sub.unsubscribe(prefix + 'ch');
    await sub.pUnsubscribe(prefix + 'pat:*');
    res.eq(await r.publish(prefix + 'ch', 'nobody'), 0, 'PUBLISH after UNSUBSCRIBE reaches nobody');
  });
  await res.step('DEL', async () => {
    res.eq(await r.del([prefix + 'k', prefix + 'm', prefix + 'w', prefix + 'n']), 4, 'DEL the keys');
  });
} finally {
  for (const c of [r, sub]) {
    if (c && c.isOpen) {
      try { await c.quit(); } catch { c.disconnect?.(); }
    }
  }
}
res.eq(errors, [], 'no client error events');
res.finish();
