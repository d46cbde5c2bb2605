#!/usr/bin/env node
import '../src/polyfill.ts'
import { main } from '../src/cli/main.ts'

const controller = new AbortController()
const stop = (): void => { controller.abort() }
process.once('SIGINT', stop)
process.once('SIGTERM', stop)

process.exitCode = await main(process.argv.slice(2), process.env, process.stdout, process.stderr, { signal: controller.signal })
process.off('SIGINT', stop)
process.off('SIGTERM', stop)
