// ioredis against the server on 127.0.0.1:PORT.
//   node ioredis_test.mjs PORT [ioredis|ioredis5]
// The second argument names the package (ioredis5 is an npm alias of
// ioredis@5), so one script covers both major versions.
import { createRequire } from 'node:module';
import { Results, packageVersion, serverPort, withDeadline } from './results.mjs';

const require = createRequire(import.meta.url);
const port = serverPort();
const pkg = process.argv[3] || 'ioredis';
const Redis = require(pkg);
const res = new Results(pkg);
console.log(`client: ioredis ${packageVersion(pkg)} (npm package ${pkg})`);

function connect() {
  // No retries: a refused or dropped connection must fail the run, not loop.
  return new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0,
    retryStrategy: () => null });
}

const r = connect();
const sub = connect();
const prefix = `ioredis:${pkg}:`;
try {
  await res.step('connect', async () => {
    await r.connect();
    res.eq(r.status, 'ready', 'connection ready (ready check passed)');
    res.eq(await r.ping(), 'PONG', 'PING');
  });
  await res.step('SET EX / GET / TTL', async () => {
    res.eq(await r.set(prefix + 'k', 'v1', 'EX', 100), 'OK', 'SET k v1 EX 100');
    res.eq(await r.get(prefix + 'k'), 'v1', 'GET k');
    const ttl = await r.ttl(prefix + 'k');
    res.check(ttl > 0 && ttl <= 100, 'TTL within (0, 100]', String(ttl));
    res.eq(await r.get(prefix + 'missing'), null, 'GET missing is null');
    res.eq(await r.ttl(prefix + 'missing'), -2, 'TTL missing is -2');
    const bin = Buffer.from([0, 13, 10, 255, 1]);
    res.eq(await r.set(prefix + 'bin', bin), 'OK', 'SET binary');
    res.eq(await r.getBuffer(prefix + 'bin'), bin, 'GET binary as Buffer');
  });
  await res.step('MULTI/EXEC', async () => {
    const out = await r.multi().set(prefix + 'm', '1').incr(prefix + 'm').incrby(prefix + 'm', 40)
      .get(prefix + 'm').exec();
    res.eq(out, [[null, 'OK'], [null, 2], [null, 42], [null, '42']], 'MULTI SET INCR INCRBY GET EXEC');
    res.eq(await r.get(prefix + 'm'), '42', 'value after EXEC');
    // An error inside the transaction is reported for that command only.
    const mixed = await r.multi().set(prefix + 'w', 'x').incr(prefix + 'w').get(prefix + 'w').exec();
    res.check(Array.isArray(mixed) && mixed.length === 3 && mixed[0][1] === 'OK'
      && mixed[1][0] instanceof Error && /not an integer/.test(mixed[1][0].message)
      && mixed[2][1] === 'x', 'EXEC with a failing INCR in the middle', JSON.stringify(mixed));
  });
  await res.step('pipeline', async () => {
    const p = r.pipeline();
    for (let i = 0; i < 100; i++) p.set(`${prefix}p:${i}`, String(i));
    for (let i = 0; i < 100; i++) p.get(`${prefix}p:${i}`);
    const out = await p.exec();
    const want = [];
    for (let i = 0; i < 100; i++) want.push([null, 'OK']);
    for (let i = 0; i < 100; i++) want.push([null, String(i)]);
    res.eq(out, want, 'pipeline of 100 SET + 100 GET');
  });
  await res.step('pub/sub', async () => {
    await sub.connect();
    const got = new Promise((resolve) => sub.once('message', (ch, msg) => resolve([ch, msg])));
    res.eq(await sub.subscribe(prefix + 'ch'), 1, 'SUBSCRIBE returns the count of channels');
    res.eq(await r.publish(prefix + 'ch', 'hello'), 1, 'PUBLISH reaches one subscriber');
    res.eq(await withDeadline(got, 'message'), [prefix + 'ch', 'hello'], 'subscriber receives the message');
    const pgot = new Promise((resolve) => sub.once('pmessage', (pat, ch, msg) => resolve([pat, ch, msg])));
    res.eq(await sub.psubscribe(prefix + 'pat:*'), 2, 'PSUBSCRIBE');
    res.eq(await r.publish(prefix + 'pat:1', 'world'), 1, 'PUBLISH to a pattern');
    res.eq(await withDeadline(pgot, 'pmessage'), [prefix + 'pat:*', prefix + 'pat:1', 'world'],
      'pattern subscriber receives the message');
    res.eq(await sub.unsubscribe(prefix + 'ch'), 1, 'UNSUBSCRIBE leaves one pattern');
    res.eq(await sub.punsubscribe(prefix + 'pat:*'), 0, 'PUNSUBSCRIBE leaves none');
    res.eq(await r.publish(prefix + 'ch', 'nobody'), 0, 'PUBLISH after UNSUBSCRIBE reaches nobody');
  });
  await res.step('DEL', async () => {
    res.eq(await r.del(prefix + 'k', prefix + 'm', prefix + 'w', prefix + 'bin'), 4, 'DEL the keys');
  });
} finally {
  r.disconnect();
  sub.disconnect();
}
res.finish();
