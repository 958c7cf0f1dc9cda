// Loaded by mocha before any spec (see .mocharc.json): the runtime shim first.
import '../src/shim.js'
