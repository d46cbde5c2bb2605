/**
 * The parts of prom-client the daemon uses, each from its own module. prom-client's index
 * also loads its Pushgateway (with node:https, node:tls and node:zlib under it), its summary
 * and its cluster aggregator, none of which a daemon uses: their code and objects stayed
 * resident for nothing.
 *
 * prom-client has no `exports` map, so these paths are public; the index re-exports exactly
 * these objects, so a registry from either works with metrics from the other.
 */
export { default as Registry } from 'prom-client/lib/registry.js'
export { default as Gauge } from 'prom-client/lib/gauge.js'
export { default as Counter } from 'prom-client/lib/counter.js'
export { default as collectDefaultMetrics } from 'prom-client/lib/defaultMetrics.js'
