#!/usr/bin/env node
// The `apskit` command. The compiled CLI lives in dist/ (built by `npm run build`, which `npm ci`
// runs through the root `prepare` script).
require('../dist/main.js')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
