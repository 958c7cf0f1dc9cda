#!/usr/bin/env node
import '../shim.js'
import { main } from './main.js'

process.exitCode = await main(process.argv)
