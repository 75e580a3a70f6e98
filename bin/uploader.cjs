#!/usr/bin/env node
/* global require, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports */
// npm `bin` launcher of the uploader: in this repository it runs bin/uploader.ts through tsx (installed
// with the project); in the packed library (no TypeScript sources) it runs the compiled dist/bin/uploader.js.
const { existsSync } = require('fs');
const { join } = require('path');

if (existsSync(join(__dirname, 'uploader.ts'))) {
  require('tsx/cjs');
  require('./uploader.ts');
} else {
  require('../dist/bin/uploader.js');
}
