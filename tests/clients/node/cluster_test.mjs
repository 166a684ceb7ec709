// Cluster clients against a one-node cluster on 127.0.0.1:PORT (sessiond
// --cluster-compat, or a redis-server cluster node owning every slot), given
// that node twice as its seeds, as an application listing two addresses of
// one node would.
//   node cluster_test.mjs PORT [ioredis|ioredis5|redis|redis4]
// ioredis: new Redis.Cluster([...]); node-redis: createCluster({rootNodes}).
import { createRequire } from 'node:module';
import { Results, packageVersion, serverPort } from './results.mjs';

const require = createRequire(import.meta.url);
const port = serverPort();
const pkg = process.argv[3] || 'ioredis';
const ioredis = pkg.startsWith('ioredis');
const res = new Results(`${pkg} cluster`);
console.log(`client: ${ioredis ? 'ioredis' : 'node-redis'} ${packageVersion(pkg)} cluster (npm package ${pkg})`);

const seeds = [{ host: '127.0.0.1', port }, { host: '127.0.0.1', port }];
let c;
const errors = [];
if (ioredis) {
  const Redis = require(pkg);
  // No retries: a refused connection must fail the run, not loop.
  c = new Redis.Cluster(seeds, {
    lazyConnect: true,
    clusterRetryStrategy: () => null,
    redisOptions: { maxRetriesPerRequest: 0, retryStrategy: () => null },
  });
} else {
  const { createCluster } = require(pkg);
  c = createCluster({
    rootNodes: seeds.map((s) => ({ url: `redis://${s.host}:${s.port}` })),
    defaults: { socket: { reconnectStrategy: false } },
  });
  c.on('error', (e) => errors.push(String(e)));
}

// The client's API differs only in names and argument shapes.
const api = ioredis ? {
  set: (k, v) => c.set(k, v),
  get: (k) => c.get(k),
  mset: (pairs) => c.mset(...pairs.flat()),
  mget: (keys) => c.mget(...keys),
  del: (keys) => c.del(...keys),
} : {
  set: (k, v) => c.set(k, v),
  get: (k) => c.get(k),
  mset: (pairs) => c.mSet(pairs),
  mget: (keys) => c.mGet(keys),
  del: (keys) => c.del(keys),
};
// RENAME of two keys, sent whole to the node of the first (node-redis 5+
// splits MGET/MSET/DEL by slot itself, even through sendCommand).
const rename = ioredis ? (a, b) => c.rename(a, b)
  : (a, b) => c.sendCommand(a, false, ['RENAME', a, b]);

const prefix = `cluster:${pkg}:`;
try {
  await res.step('connect with two seeds naming one node', async () => {
    await c.connect();
    if (ioredis) {
      res.eq(c.status, 'ready', 'cluster ready');
      res.eq(c.nodes('master').map((n) => `${n.options.host}:${n.options.port}`), [`127.0.0.1:${port}`],
        'one master discovered');
    } else {
      res.eq(c.masters.map((n) => `${n.host}:${n.port}`), [`127.0.0.1:${port}`], 'one master discovered');
    }
  });
  await res.step('SET/GET 200 keys over many slots', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => `${prefix}k:${i}`);
    const sets = await Promise.all(keys.map((k) => api.set(k, k + '=v')));
    res.eq(sets, keys.map(() => 'OK'), 'SET 200 keys');
    const gets = await Promise.all(keys.map((k) => api.get(k)));
    res.eq(gets, keys.map((k) => k + '=v'), 'GET them back');
    res.eq(await api.del(keys.slice(0, 1)), 1, 'DEL one key');
    res.eq(await api.get(keys[0]), null, 'GET deleted key is null');
  });
  await res.step('multi-key commands on one hash tag', async () => {
    const a = `{${prefix}tag}a`;
    const b = `{${prefix}tag}b`;
    res.eq(await api.mset([[a, '1'], [b, '2']]), 'OK', 'MSET two keys of one hash tag');
    res.eq(await api.mget([a, b, `{${prefix}tag}none`]), ['1', '2', null], 'MGET them');
    res.eq(await api.del([a, b]), 2, 'DEL both');
  });
  await res.step('multi-key across slots is refused with CROSSSLOT', async () => {
    let err = null;
    try {
      await rename(`${prefix}x`, `${prefix}y`);
    } catch (e) {
      err = e;
    }
    res.check(err !== null && /^CROSSSLOT /.test(String(err && err.message)),
      'RENAME across two slots fails with CROSSSLOT', String(err));
  });
} finally {
  try {
    if (ioredis) {
      await c.quit();
    } else {
      await c.disconnect();
    }
  } catch (e) {
    res.fail('disconnect', String(e));
  }
}
res.check(errors.length === 0, 'no client error events', errors.join('\n'));
res.finish();
