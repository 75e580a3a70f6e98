#!/usr/bin/env node
/**
 * Completes package-lock.json with the platform-specific optional packages that this machine's npm
 * registry does not serve (e.g. @swc/core-darwin-arm64, @duckdb/node-bindings-win32-x64).
 *
 * Why: `npm install` silently leaves an optional dependency out of the lock when the registry answers
 * 404 for it, and `npm ci` then refuses the lock as "out of sync" ("Missing: … from lock file"). This
 * adds each missing optional package as an entry with its exact version and the os / cpu / libc its
 * name declares, so `npm ci` skips it on a platform it does not fit and fetches it by name@version
 * (from a registry that has it) on one it fits. Run after any `npm install` that changes the lock:
 *
 *   node .ci/complete-lockfile.js
 */
'use strict';
const fs = require('fs');
const path = require('path');

const file = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openbsd', 'netbsd', 'openharmony', 'sunos', 'aix'];
const CPU = {
  arm64: 'arm64',
  x64: 'x64',
  ia32: 'ia32',
  ppc64: 'ppc64',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  arm: 'arm',
};

function platformOf(name) {
  const tokens = name.split('/').pop().split('-');
  const os = OS.find((o) => tokens.includes(o));
  const cpu = Object.keys(CPU).find((c) => tokens.includes(c));
  if (!os || !cpu) return undefined;
  const libc = tokens.some((t) => t.startsWith('musl'))
    ? 'musl'
    : os === 'linux' && tokens.some((t) => t.startsWith('gnu'))
      ? 'glibc'
      : undefined;
  return { os, cpu: CPU[cpu], libc };
}

let added = 0;
for (const [location, entry] of Object.entries(lock.packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${location ? `${location}/` : ''}node_modules/${name}`;
    if (lock.packages[nested] || lock.packages[`node_modules/${name}`]) continue;
    const platform = platformOf(name);
    if (!/^\d+\.\d+\.\d+(-[\w.-]+)?$/.test(range) || !platform) {
      console.warn(
        `skipped ${name}@${range} (needed by ${location || 'the project'}): not an exact version or no platform in its name`,
      );
      continue;
    }
    lock.packages[`node_modules/${name}`] = {
      version: range,
      cpu: [platform.cpu],
      ...(entry.dev ? { dev: true } : {}),
      ...(platform.libc ? { libc: [platform.libc] } : {}),
      optional: true,
      os: [platform.os],
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} optional platform package(s) added`);
