#!/usr/bin/env node
/* global require */
/* eslint-disable @typescript-eslint/no-require-imports */
// npm `bin` launcher of the uploader: runs bin/uploader.ts through tsx (installed with the project).
require('tsx/cjs');
require('./uploader.ts');
