// Check counting shared by the node client scripts: the same conventions as
// tests/integration/harness.py (one "FAIL: ..." line per failed check, then
// "N passed, N failed"; exit 1 on any failure or when nothing was checked).
// CLIENT_TEST_VERBOSE=1 also prints every step and check as it runs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, inspect } from 'node:util';

// The installed version of an npm package (or alias), from its package.json
// (read as a file: some packages' "exports" hide package.json from require).
export function packageVersion(name) {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'node_modules', name, 'package.json');
  return JSON.parse(readFileSync(file, 'utf8')).version;
}

// Deadline for one awaited event (a pub/sub message): only keeps a broken
// server from hanging the suite; no check is about how fast it arrives.
export const EVENT_DEADLINE_MS = 30000;

export function withDeadline(promise, what, ms = EVENT_DEADLINE_MS) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export class Results {
  constructor(name) {
    this.name = name;
    this.passed = 0;
    this.failed = 0;
  }

  check(cond, what, detail = '') {
    if (process.env.CLIENT_TEST_VERBOSE) console.log(`check: ${what}: ${cond ? 'ok' : 'FAILED'}`);
    if (cond) {
      this.passed++;
    } else {
      this.failed++;
      console.log(`FAIL: ${this.name}: ${what}${detail ? '\n  ' + detail : ''}`);
    }
    return cond;
  }

  eq(got, want, what) {
    return this.check(isDeepStrictEqual(got, want), what,
      `got  ${inspect(got, { depth: 5 })}\n  want ${inspect(want, { depth: 5 })}`);
  }

  fail(what, detail = '') {
    return this.check(false, what, detail);
  }

  // Runs one async step; an exception is one failed check, not a crash, so
  // the later steps still run (and report) against a server lacking a feature.
  async step(what, fn) {
    if (process.env.CLIENT_TEST_VERBOSE) console.log(`step: ${what}`);
    try {
      await fn();
    } catch (e) {
      this.fail(`${what} threw`, e && e.stack ? e.stack.split('\n').slice(0, 3).join('\n  ') : String(e));
    }
  }

  finish() {
    console.log(`${this.passed} passed, ${this.failed} failed`);
    process.exitCode = this.failed || !this.passed ? 1 : 0;
  }
}

// Port of the server under test: argv[2] or $PORT.
export function serverPort() {
  const p = Number(process.argv[2] || process.env.PORT);
  if (!Number.isInteger(p) || p <= 0) {
    console.error('usage: node SCRIPT PORT');
    process.exit(2);
  }
  return p;
}
