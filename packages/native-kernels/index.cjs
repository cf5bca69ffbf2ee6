// Loads the compiled addon, or returns null when it was not built (see scripts/install.mjs).
'use strict';
const path = require('node:path');

function loadNativeKernels() {
  try {
    return require(path.join(__dirname, 'build', 'Release', 'switchyard_native.node'));
  } catch {
    return null;
  }
}

module.exports = { loadNativeKernels };
