/**
 * swimd: wires the configuration, the data directory, a libp2p node with the SWIM service,
 * the event log, the metrics and the HTTP API together. No protocol logic lives here.
 *
 * `main` resolves with the exit code once the daemon has stopped (or at once for help, keygen
 * and usage errors); it never calls `process.exit` itself, so the binary stays a thin shell.
 */
import { lookup } from 'node:dns/promises'
import { multiaddr } from '@multiformats/multiaddr'
import { startupLine } from './banner.ts'
import { isBeyondLoopback, runCommandLine } from './config.ts'
import { EventLog } from './event-log.ts'
import { lockDataDir } from './data-dir-lock.ts'
import { createApi } from './http-api.ts'
import { logJoinErrors } from './join-log.ts'
import { joinNow } from './join-now.ts'
import { ensureDataDir, loadMembers, loadOrCreateApiToken, loadOrCreatePrivateKey, nextIncarnation } from './data-dir.ts'
import { loadMeta, saveMeta } from './meta-store.ts'
import { warnDuplicateNames } from './name-watch.ts'
import { createLogger } from './logger.ts'
import { createMetrics } from './metrics.ts'
import { createPeerAdmission } from './peer-admission.ts'
import { recordMembershipEvents } from './record-events.ts'
import { handleShutdown } from './signals.ts'
import { startStateSaver } from './state-saver.ts'
import { Teardown } from './teardown.ts'
import { describeApiListenError, describeStartupError } from './startup-error.ts'
import { decodeClusterKeyFile } from '../libp2p/cluster-key.ts'
import { SOCKET_INACTIVITY_TIMEOUT, YAMUX_KEEPALIVE_INTERVAL } from './libp2p-timing.ts'
import type { CommandLineIO, DaemonConfig } from './config.ts'
import type { KeyringApi } from './keys-api.ts'
import type { DaemonLogger } from './logger.ts'
import type { PeerAdmission } from './peer-admission.ts'
import type { Swim, SwimInit } from '../libp2p/types.ts'
import type { Libp2p } from '@libp2p/interface'
import type { Libp2pOptions } from 'libp2p'

/** Loopback is exempt from libp2p's per-host inbound connection rate limit (local clusters). */
const LOOPBACK_ALLOW = ['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128']

export interface DaemonMainOptions {
  /** Signals that start the graceful shutdown. @default ['SIGTERM', 'SIGINT'] */
  signals?: NodeJS.Signals[]
}

/** Runs swimd with `argv` (without node and the script); resolves with the exit code. */
export async function main (argv: string[], env: Record<string, string | undefined>, io: CommandLineIO, options: DaemonMainOptions = {}): Promise<number> {
  const parsed = runCommandLine(argv, env, io)
  if ('exitCode' in parsed) return parsed.exitCode
  const { config, warnings } = parsed
  const logger = createLogger(config.logLevel)
  for (const warning of warnings) logger.warn(warning)

  let node: SwimNode
  let incarnation: number
  let seeds: string[]
  let token: string
  const warnDataDir = (message: string, fields: Record<string, unknown> = {}): void => { logger.warn(fields, message) }
  // beyond loopback, the token guards reads too: the member list is the cluster's map
  const apiBeyondLoopback = config.api.host !== 'localhost' && isBeyondLoopback(config.api.host.includes(':') ? `/ip6/${config.api.host}` : `/ip4/${config.api.host}`)
  // everything started from here on is stopped by this, in reverse, on every way out
  const teardown = new Teardown((what, err) => { logger.warn({ err }, `stopping the ${what} failed`) })
  try {
    await ensureDataDir(config.dataDir)
    const lock = await lockDataDir(config.dataDir)
    teardown.add('data directory lock', async () => { await lock.release() })
    const { privateKey, created } = await loadOrCreatePrivateKey(config.dataDir)
    if (created) logger.info({ dataDir: config.dataDir }, 'created a new private key')
    if (config.apiToken != null) {
      token = config.apiToken
    } else {
      const generated = await loadOrCreateApiToken(config.dataDir)
      token = generated.token
      logger.info({ tokenFile: generated.path }, generated.created ? 'generated the API token' : 'using the API token of the data directory')
    }
    incarnation = await nextIncarnation(config.dataDir, warnDataDir)
    // what was set at run time survives the restart; the command line wins over it
    config.meta = { ...await loadMeta(config.dataDir), ...config.meta }
    seeds = await chooseSeeds(config, logger)
    if (config.clusterKey == null && config.listen.some(isBeyondLoopback)) {
      logger.warn({ listen: config.listen }, 'listening beyond loopback without --cluster-key (--insecure): any host that can connect may join the cluster')
    }
    const admission = createPeerAdmission({ peers: config.allowPeers, cidrs: config.allowCidrs })
    const started = await createNode(config, privateKey, seeds, incarnation, admission, (message, err) => { logger.warn({ err }, message) })
    teardown.add('libp2p node', async () => { await started.stop() })
    node = started
  } catch (err) {
    // one line, no stack: what failed and what to do (the details are in debug logs)
    const failure = describeStartupError(err)
    logger.debug({ err }, 'cannot start')
    io.stderr.write(`swimd: ${failure.line}\n`)
    await teardown.run()
    return failure.exitCode
  }
  const service = node.services.swim
  const hadSeeds = seeds.length > 0

  // Sequence numbers start at the start time in ms: above anything an earlier run issued
  // (unless it averaged over one event per ms), so resuming across a restart means a reset.
  const eventLog = new EventLog({ firstSeq: Date.now() })
  teardown.add('event log', () => { eventLog.close() })
  teardown.add('event recording', recordMembershipEvents(service, eventLog))
  // set when the daemon stops for a failure rather than by request: the exit code it ends with
  let failedWith: number | undefined
  teardown.add('name watch', warnDuplicateNames(service, logger))
  teardown.add('join log', logJoinErrors(service, logger, {
    onGaveUp: () => {
      failedWith = 1
      void shutdown?.trigger('gave up joining (--join-retry-max)')
    }
  }))
  const metrics = createMetrics({ stats: () => service.stats(), eventSubscribers: () => eventLog.subscriberCount })
  teardown.add('metrics', () => { metrics.stop() })
  // After leave() the service's view no longer lists the others as up, so the members saved
  // for the next run (its seeds when none are configured) are the ones known just before.
  let viewBeforeLeave: ReturnType<Swim['members']> | undefined
  const savedView = {
    members: () => viewBeforeLeave ?? service.members(),
    localMember: () => service.localMember()
  }
  const stateSaver = startStateSaver({ dataDir: config.dataDir, swim: savedView, logger, startIncarnation: incarnation })
  teardown.add('state saver', async () => { await stateSaver.stop() })

  let joined = false
  const isReady = (): boolean => {
    if (!joined) {
      const self = service.localMember().id
      joined = !hadSeeds || service.members().some((member) => member.id !== self && member.state === 'alive')
      if (joined) logger.info({ members: service.members().length }, 'joined')
    }
    return joined
  }

  let finish!: (code: number) => void
  const finished = new Promise<number>((resolve) => { finish = resolve })

  // eslint-disable-next-line prefer-const -- the callbacks below read it before it is set
  let shutdown: ReturnType<typeof handleShutdown> | undefined
  const api = createApi({
    swim: service,
    eventLog,
    registry: metrics.registry,
    token,
    guard: { guardReads: apiBeyondLoopback, hosts: config.apiHosts },
    limits: config.apiLimits,
    ...(config.apiTls != null ? { tls: config.apiTls } : {}),
    keys: () => (service as { keys?: KeyringApi }).keys,
    onLeave: () => { void shutdown?.trigger('POST /v1/leave') },
    saveMeta: async (meta) => { await saveMeta(config.dataDir, meta) },
    join: async (seeds) => await joinNow(service, seeds),
    isReady,
    logger
  })
  teardown.add('HTTP API', async () => { await api.close() })

  // the one graceful step before the teardown: tell the cluster
  const graceful = async (): Promise<void> => {
    viewBeforeLeave = service.members()
    try {
      await service.leave()
    } catch (err) {
      logger.warn({ err }, 'leave failed')
    }
    await teardown.run()
    logger.info('stopped')
  }
  shutdown = handleShutdown(graceful, {
    logger,
    signals: options.signals,
    exit: (code) => {
      shutdown?.dispose()
      finish(failedWith ?? code)
    }
  })

  let bound: { host: string, port: number }
  try {
    bound = await api.listen(config.api.host, config.api.port)
  } catch (err) {
    const failure = describeApiListenError(err, config.api.host, config.api.port)
    logger.debug({ err, api: config.api }, 'cannot start the HTTP API')
    io.stderr.write(`swimd: ${failure.line}\n`)
    shutdown.dispose()
    await teardown.run()
    return failure.exitCode
  }

  const addrs = node.getMultiaddrs().map(String)
  io.stdout.write(`${startupLine({ peerId: node.peerId.toString(), addrs, api: bound, tls: config.apiTls != null })}\n`)
  logger.info({ peerId: node.peerId.toString(), addrs, api: bound, incarnation, profile: config.profile }, 'started')

  // readiness is also polled here so the 'joined' log line appears without a /readyz request
  const readyTimer = setInterval(() => { if (isReady()) clearInterval(readyTimer) }, 250)
  readyTimer.unref()

  const code = await finished
  clearInterval(readyTimer)
  return code
}

type SwimNode = Libp2p<{ swim: Swim }>

async function createNode (config: DaemonConfig, privateKey: Awaited<ReturnType<typeof loadOrCreatePrivateKey>>['privateKey'], seeds: string[], incarnation: number, admission: PeerAdmission, onError: (message: string, err?: Error) => void): Promise<SwimNode> {
  // imported here, not at the top: `--help`, `--version`, `keygen` and a bad flag return
  // before this, and evaluating libp2p's modules was most of what they cost
  const [{ noise }, { yamux }, { gossipsub }, { identify }, { tcp }, { createLibp2p }, { swim, noiseCrypto }] = await Promise.all([
    import('@chainsafe/libp2p-noise'), import('@chainsafe/libp2p-yamux'), import('@libp2p/gossipsub'), import('@libp2p/identify'), import('@libp2p/tcp'), import('libp2p'), import('../libp2p/index.ts')
  ])
  const options: Libp2pOptions = {
    privateKey,
    addresses: {
      listen: config.listen,
      ...(config.announce.length > 0 ? { announce: config.announce } : {})
    },
    transports: [tcp({ inboundSocketInactivityTimeout: SOCKET_INACTIVITY_TIMEOUT, outboundSocketInactivityTimeout: SOCKET_INACTIVITY_TIMEOUT })],
    connectionEncrypters: [noise({ crypto: noiseCrypto })],
    streamMuxers: [yamux({ keepAliveInterval: YAMUX_KEEPALIVE_INTERVAL })],
    connectionMonitor: { enabled: false },
    connectionManager: { allow: LOOPBACK_ALLOW },
    ...(admission.gater != null ? { connectionGater: admission.gater } : {}),
    services: {
      identify: identify(),
      // Heartbeat and score decay every 2 s rather than every second: each is a wakeup of its
      // own, and a calm daemon's wakeups are most of its CPU. gossipsub is the extra path here
      // (SWIM never waits for it), and its publications go out at once either way.
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, heartbeatInterval: 2000, scoreParams: { decayInterval: 2000 } }),
      // The cluster key admits members in SWIM itself (stream proofs, sealed datagrams), so
      // it can be rotated without restarting libp2p.
      swim: swim({
        seeds,
        profile: config.profile,
        metadata: config.meta,
        incarnation,
        joinRetryInterval: config.joinRetryInterval,
        joinRetryMax: config.joinRetryMax,
        expect: config.expect,
        stableAfter: config.stableAfter,
        cluster: config.cluster,
        onError,
        ...datagramOption(config),
        ...(config.clusterKey != null ? { clusterKeys: [decodeClusterKeyFile(config.clusterKey)] } : {}),
        ...(admission.allowList != null ? { allowList: admission.allowList } : {})
      })
    }
  }
  return await createLibp2p(options) as unknown as SwimNode
}

function datagramOption (config: DaemonConfig): Pick<SwimInit, 'datagram'> {
  if (config.datagram === false) return { datagram: false }
  if (config.datagram != null) return { datagram: { listen: config.datagram } }
  return {}
}

/** The configured seeds, else the members saved by the last run; `/dns*` names resolved. */
async function chooseSeeds (config: DaemonConfig, logger: DaemonLogger): Promise<string[]> {
  let seeds = config.seeds
  if (seeds.length === 0) {
    const saved = await loadMembers(config.dataDir, (message, fields) => { logger.warn(fields ?? {}, message) })
    seeds = saved.flatMap(({ id, addrs }) => addrs.map((addr) => addr.includes('/p2p/') ? addr : `${addr}/p2p/${id}`))
    if (seeds.length > 0) logger.info({ members: saved.length }, 'rejoining through the members saved by the last run')
  }
  const resolved = await Promise.all(seeds.map(async (seed) => await resolveDns(seed, logger)))
  return [...new Set(resolved.flat())]
}

/**
 * `/dns4/name/…`, `/dns6/name/…` and `/dns/name/…` become one `/ip4` or `/ip6` address per
 * result; a name that does not resolve (yet) is kept as given for libp2p to try.
 */
async function resolveDns (seed: string, logger: Pick<DaemonLogger, 'warn'>): Promise<string[]> {
  const match = /^\/(dns4|dns6|dns)\/([^/]+)(\/.*)?$/.exec(seed)
  if (match == null) return [seed]
  const [, proto, name, rest = ''] = match
  const family = proto === 'dns4' ? 4 : proto === 'dns6' ? 6 : 0
  try {
    const results = await lookup(name, { all: true, family })
    const addrs = results.map(({ address, family: f }) => `/${f === 6 ? 'ip6' : 'ip4'}/${address}${rest}`)
    for (const addr of addrs) multiaddr(addr)
    return addrs.length > 0 ? addrs : [seed]
  } catch (err) {
    logger.warn({ err, seed }, 'cannot resolve seed name; libp2p will try it as given')
    return [seed]
  }
}
