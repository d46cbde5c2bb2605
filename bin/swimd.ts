#!/usr/bin/env node
import '../src/polyfill.ts'
import { main } from '../src/daemon/main.ts'

process.exitCode = await main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr })
// a library timer left behind must not keep a stopped daemon alive
setTimeout(() => { process.exit() }, 2000).unref()
