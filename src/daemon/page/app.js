// @ts-check
/**
 * The live membership page: follows swimd's `/v1/events` stream and keeps a table of the
 * members as this node sees them, a feed of the latest events, the counts by state and, when
 * the daemon offers them, its quorum state and each member's share of the keys.
 *
 * - Everything that comes from the network is written with `textContent` (or as attribute
 *   values), never parsed as HTML: member metadata is attacker-controlled.
 * - The stream is read with `fetch` rather than `EventSource`, so that it can carry the API
 *   token in an `Authorization` header. The first request asks to resume after a sequence
 *   number the daemon never issued, which it answers with a `reset` carrying the member list:
 *   the snapshot and the stream position come together, with no gap between them. Later
 *   requests resume with `Last-Event-ID` = the last seq seen (a restarted daemon answers with
 *   a reset, and the view is replaced).
 * - Rendering is keyed and batched: events only mark members dirty; once per animation frame
 *   the rows of the dirty members are patched (a row is created once and then only its
 *   changed cells are written), so a burst of events costs one frame, not one table each.
 */

/** @typedef {'alive' | 'suspect' | 'dead' | 'left'} State */
/** @typedef {{ id: string, addrs: string[], state: State, incarnation: number, meta: Record<string, string>, since: number }} Member */
/** @typedef {{ type: string, data: string, lastEventId: string }} SseEvent */
/**
 * @typedef {object} Row
 * @property {HTMLDivElement} tr
 * @property {HTMLElement} badge
 * @property {HTMLElement} id
 * @property {HTMLElement} addrs
 * @property {HTMLElement} meta
 * @property {HTMLElement} inc
 * @property {HTMLElement} since
 * @property {HTMLElement} share
 * @property {string} shown key of what the cells show, to skip writes that change nothing
 * @property {string} sinceText
 */

// MEMBER_STATES and MEMBERSHIP_EVENT_TYPES of src/core/types.ts; test/daemon/page.spec.ts holds them equal
/** @type {readonly State[]} */
const STATES = ['alive', 'suspect', 'dead', 'left']
const EVENT_TYPES = new Set(['join', 'suspect', 'alive', 'fail', 'leave', 'update'])
const FEED_MAX = 200
/** A seq no daemon issues: resuming after it is answered with a reset (snapshot + position). */
const NEVER_ISSUED = Number.MAX_SAFE_INTEGER
/** swimd sends a heartbeat every 15 s: a stream silent for longer than this is dead. */
const IDLE_MS = 45_000
const QUORUM_EVERY_MS = 2_000
const RING_EVERY_MS = 5_000
/** A failed `/v1/self` is asked again this much later, while the stream stays connected. */
const SELF_RETRY_MS = 2_000
const TOKEN_KEY = 'swimd-api-token'
const MAX_SSE_LINE = 8 * 1024 * 1024

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
function $ (id) {
  const element = document.getElementById(id)
  if (element == null) throw new Error(`the page lacks #${id}`)
  return element
}

const ui = {
  self: $('self'),
  connection: $('connection'),
  disconnected: $('banner-disconnected'),
  minority: $('banner-minority'),
  tokenForm: /** @type {HTMLFormElement} */ ($('token-form')),
  tokenInput: /** @type {HTMLInputElement} */ ($('token-input')),
  tokenError: $('token-error'),
  counts: $('counts'),
  quorum: $('quorum'),
  quorumState: $('quorum-state'),
  quorumDetail: $('quorum-detail'),
  table: $('members'),
  rows: $('member-rows'),
  empty: $('empty'),
  feed: $('feed'),
  lastSeq: $('last-seq')
}

const view = {
  /** @type {Map<string, Member>} */
  members: new Map(),
  /** @type {Map<string, Row>} */
  rows: new Map(),
  /** Row order: this node first, then by id. */
  /** @type {string[]} */
  order: [],
  selfId: '',
  /** Daemon clock minus this browser's clock, in ms (0 unless clearly off). */
  skew: 0,
  /** @type {number | undefined} */
  lastSeq: undefined,
  /** @type {Set<string>} */
  dirty: new Set(),
  /** @type {Array<{ kind: 'event', type: string, at: number, member: Member } | { kind: 'note', at: number, text: string }>} */
  feedPending: [],
  /** @type {Map<string, number> | undefined} */
  shares: undefined,
  sharesDirty: false,
  countsDirty: true,
  clockDirty: false,
  frame: 0
}

// ------------------------------------------------------------------ token

/** A token handed over in the URL fragment (`#token=…`, never sent to a server) is kept for this tab and removed from the address bar. */
function takeTokenFromFragment () {
  const match = /(?:^#|&)token=([^&]*)/.exec(location.hash)
  if (match == null) return
  try {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]))
  } catch {}
  history.replaceState(null, '', location.pathname + location.search)
}

function token () {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? ''
  } catch {
    return ''
  }
}

/** @returns {Record<string, string>} */
function authHeaders () {
  const t = token()
  return t === '' ? {} : { authorization: `Bearer ${t}` }
}

/** @type {Promise<void> | undefined} */
let tokenAsked

/** Shows the token form and resolves once a token was entered. One form for all callers. */
async function askToken () {
  if (tokenAsked != null) return await tokenAsked
  ui.tokenError.hidden = token() === ''
  ui.tokenError.textContent = token() === '' ? '' : 'swimd refused that token.'
  ui.tokenForm.hidden = false
  ui.tokenInput.focus()
  tokenAsked = new Promise((resolve) => {
    ui.tokenForm.addEventListener('submit', (event) => {
      event.preventDefault()
      try {
        sessionStorage.setItem(TOKEN_KEY, ui.tokenInput.value.trim())
      } catch {}
      ui.tokenInput.value = ''
      ui.tokenForm.hidden = true
      tokenAsked = undefined
      resolve()
    }, { once: true })
  })
  return await tokenAsked
}

/**
 * GET a JSON endpoint with the token; asks for a token on 401 and tries again.
 * @param {string} path
 * @returns {Promise<{ status: number, body: unknown, date: string | null, sent: number, received: number }>}
 */
async function getJson (path) {
  for (;;) {
    const sent = Date.now()
    const res = await fetch(path, { headers: { accept: 'application/json', ...authHeaders() }, cache: 'no-store' })
    if (res.status === 401) {
      await askToken()
      continue
    }
    const body = res.ok ? await res.json() : undefined
    return { status: res.status, body, date: res.headers.get('date'), sent, received: Date.now() }
  }
}

// ------------------------------------------------------------------ data from the network

/**
 * A member as received, with every field forced to its expected type: whatever the daemon
 * relays, the page only ever handles strings and numbers.
 * @param {any} raw
 * @returns {Member | undefined}
 */
function cleanMember (raw) {
  if (raw == null || typeof raw !== 'object' || typeof raw.id !== 'string') return undefined
  const state = STATES.includes(raw.state) ? raw.state : 'alive'
  /** @type {Record<string, string>} */
  const meta = {}
  if (raw.meta != null && typeof raw.meta === 'object') {
    for (const [key, value] of Object.entries(raw.meta)) meta[key] = String(value)
  }
  return {
    id: raw.id,
    addrs: Array.isArray(raw.addrs) ? raw.addrs.map(String) : [],
    state,
    incarnation: Number.isFinite(raw.incarnation) ? raw.incarnation : 0,
    meta,
    since: Number.isFinite(raw.since) ? raw.since : Date.now()
  }
}

/** @param {SseEvent} event */
function onStreamEvent (event) {
  const seq = Number(event.lastEventId)
  if (event.lastEventId === '' || !Number.isSafeInteger(seq)) return
  let data
  try {
    data = JSON.parse(event.data)
  } catch {
    return
  }
  if (event.type === 'reset') {
    const first = view.lastSeq == null
    applyReset(Array.isArray(data?.members) ? data.members : [], !first)
    view.lastSeq = seq
    if (first) void loadHistory(seq)
    return
  }
  if (view.lastSeq != null && seq <= view.lastSeq) return // already applied
  view.lastSeq = seq
  if (!EVENT_TYPES.has(event.type)) return
  const member = cleanMember(data?.member)
  if (member == null) return
  view.members.set(member.id, member)
  view.dirty.add(member.id)
  view.countsDirty = true
  view.feedPending.push({ kind: 'event', type: event.type, at: Number(data.at) || Date.now(), member })
  schedule()
}

/**
 * Replaces the view with a snapshot.
 * @param {unknown[]} members
 * @param {boolean} resumed whether a view existed (a reset after a reconnect)
 */
function applyReset (members, resumed) {
  const next = new Map()
  for (const raw of members) {
    const member = cleanMember(raw)
    if (member != null) next.set(member.id, member)
  }
  for (const id of view.members.keys()) if (!next.has(id)) view.dirty.add(id)
  for (const id of next.keys()) view.dirty.add(id)
  view.members = next
  view.countsDirty = true
  if (resumed) view.feedPending.push({ kind: 'note', at: Date.now(), text: `view reloaded: ${next.size} members (the daemon restarted, or this page fell behind its event log)` })
  schedule()
}

// ------------------------------------------------------------------ the event stream

/** An incremental `text/event-stream` parser (HTML Living Standard, "Server-sent events"). */
class SseParser {
  buffer = ''
  /** @type {string[]} */
  data = []
  type = ''
  id = ''
  lastEventId = ''

  /**
   * @param {string} text
   * @returns {SseEvent[]}
   */
  push (text) {
    this.buffer += text
    // swimd's frames are a few kB; a line that never ends is not a stream worth following
    if (this.buffer.length > MAX_SSE_LINE) throw new Error('the event stream sent an over-long line')
    /** @type {SseEvent[]} */
    const events = []
    let start = 0
    for (;;) {
      const lf = this.buffer.indexOf('\n', start)
      const cr = this.buffer.indexOf('\r', start)
      if (lf === -1 && cr === -1) break
      let end
      let next
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        if (cr === this.buffer.length - 1) break // perhaps the first half of CRLF
        end = cr
        next = this.buffer[cr + 1] === '\n' ? cr + 2 : cr + 1
      } else {
        end = lf
        next = lf + 1
      }
      const event = this.line(this.buffer.slice(start, end))
      if (event != null) events.push(event)
      start = next
    }
    this.buffer = this.buffer.slice(start)
    return events
  }

  /**
   * @param {string} line
   * @returns {SseEvent | undefined}
   */
  line (line) {
    if (line === '') {
      this.lastEventId = this.id
      const data = this.data
      const type = this.type
      this.data = []
      this.type = ''
      return data.length === 0 ? undefined : { type: type === '' ? 'message' : type, data: data.join('\n'), lastEventId: this.lastEventId }
    }
    if (line.startsWith(':')) return undefined
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') this.type = value
    else if (field === 'data') this.data.push(value)
    else if (field === 'id' && !value.includes('\0')) this.id = value
    return undefined
  }
}

/**
 * Exponential backoff with equal jitter, capped at 10 s (as the CLI's watcher).
 * @param {number} attempt
 */
function backoff (attempt) {
  const ceiling = Math.min(10_000, 250 * 2 ** Math.min(attempt, 16))
  return Math.round(ceiling / 2 + Math.random() * ceiling / 2)
}

/** @param {number} ms */
async function sleep (ms) {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

/** Follows the stream for as long as the page is open. */
async function follow () {
  let attempt = 0
  for (;;) {
    const connection = new AbortController()
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let idle
    const touch = () => {
      clearTimeout(idle)
      idle = setTimeout(() => { connection.abort() }, IDLE_MS)
    }
    try {
      touch()
      const res = await fetch('/v1/events', {
        headers: { accept: 'text/event-stream', 'last-event-id': String(view.lastSeq ?? NEVER_ISSUED), ...authHeaders() },
        cache: 'no-store',
        signal: connection.signal
      })
      if (res.status === 401) {
        clearTimeout(idle)
        await askToken()
        continue
      }
      if (!res.ok || res.body == null) throw new Error(`swimd answered ${res.status}`)
      attempt = 0
      connected()
      void loadSelf()
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
      const parser = new SseParser()
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        touch()
        for (const event of parser.push(value)) onStreamEvent(event)
      }
      throw new Error('the daemon closed the stream')
    } catch (err) {
      clearTimeout(idle)
      connection.abort()
      const delay = backoff(attempt++)
      disconnected(err, delay)
      await sleep(delay)
    }
  }
}

/**
 * Fills the feed, once, with the events the daemon still retains up to `upTo` (the seq of the
 * first snapshot): a second, short-lived read of the stream from its start. It ends at `upTo`,
 * at a reset (the daemon no longer holds its first events) or after a few quiet seconds.
 * @param {number} upTo
 */
async function loadHistory (upTo) {
  const connection = new AbortController()
  const quiet = () => setTimeout(() => { connection.abort() }, 3000)
  let timer = quiet()
  /** @type {Array<{ kind: 'event', type: string, at: number, member: Member }>} */
  const history = []
  try {
    const res = await fetch('/v1/events', {
      headers: { accept: 'text/event-stream', 'last-event-id': '0', ...authHeaders() },
      cache: 'no-store',
      signal: connection.signal
    })
    if (!res.ok || res.body == null) return
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
    const parser = new SseParser()
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      clearTimeout(timer)
      timer = quiet()
      for (const event of parser.push(value)) {
        const seq = Number(event.lastEventId)
        if (event.type === 'reset' || !(seq <= upTo)) return
        if (!EVENT_TYPES.has(event.type)) continue
        const data = JSON.parse(event.data)
        const member = cleanMember(data?.member)
        if (member != null) history.push({ kind: 'event', type: event.type, at: Number(data.at) || 0, member })
        if (seq === upTo) return
      }
    }
  } catch {
  } finally {
    clearTimeout(timer)
    connection.abort()
    // older than anything the live stream delivered: below it, newest first
    const fragment = document.createDocumentFragment()
    for (const item of history.slice(-FEED_MAX).reverse()) fragment.append(feedItem(item))
    ui.feed.append(fragment)
    while (ui.feed.childElementCount > FEED_MAX) ui.feed.lastElementChild?.remove()
  }
}

async function loadSelf () {
  try {
    const { body, date, sent, received } = await getJson('/v1/self')
    if (body == null) throw new Error('no answer')
    // member times are on the daemon's clock; its Date header (1 s resolution) says how far
    // this browser's clock is off, corrected only when clearly off
    const skew = date == null ? NaN : Date.parse(date) + 500 - (sent + received) / 2
    view.skew = Number.isFinite(skew) && Math.abs(skew) > 2000 ? skew : 0
    const self = cleanMember(body)
    if (self == null || self.id === view.selfId) return
    const previous = view.selfId
    view.selfId = self.id
    ui.self.textContent = shortId(self.id)
    ui.self.title = self.id
    if (previous !== '') view.dirty.add(previous)
    view.dirty.add(self.id)
    // the order puts this node first: re-place both rows
    for (const id of [previous, self.id]) removeFromOrder(id)
    schedule()
  } catch {
    // without it no row is marked as this node, and the clock skew stays unknown
    setTimeout(() => { if (isConnected) void loadSelf() }, SELF_RETRY_MS)
  }
}

let isConnected = false
/** @type {number | undefined} */
let lostAt

function connected () {
  isConnected = true
  lostAt = undefined
  document.body.dataset.connection = 'open'
  ui.connection.dataset.status = 'open'
  ui.connection.textContent = 'live'
  ui.disconnected.hidden = true
  ui.disconnected.textContent = ''
}

/**
 * @param {unknown} err
 * @param {number} delay
 */
function disconnected (err, delay) {
  if (isConnected || lostAt == null) {
    lostAt = Date.now()
    view.feedPending.push({ kind: 'note', at: lostAt, text: 'connection to the daemon lost' })
    schedule()
  }
  isConnected = false
  document.body.dataset.connection = 'lost'
  ui.connection.dataset.status = 'lost'
  ui.connection.textContent = 'disconnected'
  const reason = err instanceof Error && err.name !== 'AbortError' ? ` (${err.message})` : ''
  ui.disconnected.textContent = `Lost the connection to swimd at ${clock(lostAt)}${reason}. Retrying in ${Math.max(1, Math.round(delay / 1000))} s; the table shows the last state seen.`
  ui.disconnected.hidden = false
}

// ------------------------------------------------------------------ quorum and ring (optional endpoints)

/** Polls `/v1/quorum` while the daemon offers it; a 404 hides the panel (an older daemon). */
async function followQuorum () {
  for (;;) {
    try {
      const { status, body } = await getJson('/v1/quorum')
      if (status === 404) {
        showQuorum(undefined)
        return
      }
      if (status === 200) showQuorum(/** @type {any} */ (body))
    } catch {}
    await sleep(QUORUM_EVERY_MS)
  }
}

/** @param {{ state?: unknown, alive?: unknown, expected?: unknown, since?: unknown } | undefined} quorum */
function showQuorum (quorum) {
  const state = quorum != null && ['forming', 'quorum', 'minority'].includes(String(quorum.state)) ? String(quorum.state) : undefined
  ui.quorum.hidden = state == null
  if (quorum == null || state == null) {
    ui.minority.hidden = true
    return
  }
  ui.quorumState.textContent = state
  ui.quorumState.dataset.quorum = state
  const since = Number(quorum.since)
  ui.quorumDetail.textContent = `${Number(quorum.alive)} alive of ${Number(quorum.expected)} expected${Number.isFinite(since) && since > 0 ? `, since ${clock(since)}` : ''}`
  ui.minority.hidden = state !== 'minority'
  ui.minority.textContent = state === 'minority'
    ? `This daemon is in the minority: it sees ${Number(quorum.alive)} of ${Number(quorum.expected)} members alive. The cluster may be split; the other side may hold the quorum.`
    : ''
}

/**
 * Each member's share of the keys, when the daemon serves `GET /v1/ring` as
 * `{ members: [{ id, share }] }` (share a fraction of 1). The page computes nothing itself;
 * a 404 hides the column.
 */
async function followRing () {
  for (;;) {
    try {
      const { status, body } = await getJson('/v1/ring')
      if (status === 404) {
        view.shares = undefined
        view.sharesDirty = true
        schedule()
        return
      }
      const list = /** @type {any} */ (body)?.members
      if (status === 200 && Array.isArray(list)) {
        /** @type {Map<string, number>} */
        const shares = new Map()
        for (const entry of list) {
          if (typeof entry?.id === 'string' && Number.isFinite(entry.share)) shares.set(entry.id, entry.share)
        }
        view.shares = shares
        view.sharesDirty = true
        schedule()
      }
    } catch {}
    await sleep(RING_EVERY_MS)
  }
}

// ------------------------------------------------------------------ rendering

function schedule () {
  if (view.frame !== 0) return
  view.frame = requestAnimationFrame(render)
}

function render () {
  view.frame = 0
  const sharesChanged = view.sharesDirty
  if (sharesChanged) {
    view.sharesDirty = false
    for (const cell of ui.table.querySelectorAll('.share-col')) /** @type {HTMLElement} */ (cell).hidden = view.shares == null
    ui.table.classList.toggle('with-shares', view.shares != null)
    for (const id of view.members.keys()) view.dirty.add(id)
  }
  for (const id of view.dirty) {
    const member = view.members.get(id)
    if (member == null) removeRow(id)
    else patchRow(member)
  }
  view.dirty.clear()
  if (view.clockDirty) {
    view.clockDirty = false
    const now = Date.now() + view.skew
    for (const [id, row] of view.rows) {
      const member = view.members.get(id)
      if (member != null) writeSince(row, member, now)
    }
  }
  if (view.countsDirty) {
    view.countsDirty = false
    renderCounts()
  }
  if (view.feedPending.length > 0) renderFeed()
  if (view.lastSeq != null) ui.lastSeq.textContent = `Last event seq ${view.lastSeq}.`
}

/**
 * @param {string} a
 * @param {string} b
 */
function before (a, b) {
  if (a === view.selfId) return b !== view.selfId
  if (b === view.selfId) return false
  return a < b
}

/** @param {string} id */
function removeFromOrder (id) {
  const row = view.rows.get(id)
  if (row == null) return
  const index = view.order.indexOf(id)
  if (index !== -1) view.order.splice(index, 1)
  row.tr.remove()
  view.rows.delete(id)
}

/** @param {string} id */
function removeRow (id) {
  removeFromOrder(id)
}

/**
 * Creates the row of a member the first time, in order; afterwards writes only the cells whose
 * content changed.
 * @param {Member} member
 */
function patchRow (member) {
  let row = view.rows.get(member.id)
  if (row == null) {
    row = createRow(member.id)
    let low = 0
    let high = view.order.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (before(view.order[mid], member.id)) low = mid + 1
      else high = mid
    }
    const next = view.order[low]
    view.order.splice(low, 0, member.id)
    ui.rows.insertBefore(row.tr, next == null ? null : view.rows.get(next)?.tr ?? null)
    view.rows.set(member.id, row)
  }
  const share = view.shares?.get(member.id)
  const shown = JSON.stringify([member.state, member.incarnation, member.addrs, member.meta, member.since, share, member.id === view.selfId])
  if (shown === row.shown) return
  row.shown = shown
  row.tr.dataset.state = member.state
  row.tr.classList.toggle('self', member.id === view.selfId)
  row.badge.textContent = member.state
  row.addrs.replaceChildren(...member.addrs.map((addr) => textElement('div', addr)))
  row.meta.replaceChildren(...Object.entries(member.meta).map(([key, value]) => {
    const pair = document.createElement('span')
    pair.className = 'kv'
    pair.append(textElement('span', key, 'k'), '=', textElement('span', value, 'v'))
    return pair
  }))
  row.inc.textContent = String(member.incarnation)
  row.share.textContent = share == null ? '' : `${(share * 100).toFixed(1)} %`
  row.sinceText = ''
  writeSince(row, member, Date.now() + view.skew)
}

/** @param {string} id */
function createRow (id) {
  const tr = document.createElement('div')
  tr.className = 'row'
  tr.setAttribute('role', 'row')
  tr.dataset.id = id
  const cells = Array.from({ length: 7 }, () => {
    const cell = tr.appendChild(document.createElement('span'))
    cell.setAttribute('role', 'cell')
    return cell
  })
  cells[0].className = 'state'
  const badge = textElement('span', '', 'badge')
  cells[0].append(badge)
  cells[1].className = 'member'
  const code = textElement('code', shortId(id), 'id')
  code.title = id
  code.dataset.full = id
  const copy = textElement('button', 'copy', 'copy')
  copy.type = 'button'
  copy.title = 'Copy the full id'
  const you = textElement('span', 'this node', 'you')
  cells[1].append(code, ' ', copy, ' ', you)
  cells[2].className = 'addrs'
  cells[3].className = 'meta'
  cells[4].className = 'inc'
  cells[5].className = 'since'
  cells[6].className = 'share share-col'
  cells[6].hidden = view.shares == null
  return { tr, badge, id: code, addrs: cells[2], meta: cells[3], inc: cells[4], since: cells[5], share: cells[6], shown: '', sinceText: '' }
}

/**
 * @param {Row} row
 * @param {Member} member
 * @param {number} now
 */
function writeSince (row, member, now) {
  const text = duration(now - member.since)
  if (text === row.sinceText) return
  row.sinceText = text
  row.since.textContent = text
  row.since.title = `since ${new Date(member.since).toISOString()}`
}

function renderCounts () {
  /** @type {Record<string, number>} */
  const counts = { all: view.members.size, alive: 0, suspect: 0, dead: 0, left: 0 }
  for (const member of view.members.values()) counts[member.state]++
  for (const element of ui.counts.querySelectorAll('[data-count]')) {
    const key = /** @type {HTMLElement} */ (element).dataset.count ?? ''
    const text = String(counts[key] ?? 0)
    if (element.textContent !== text) element.textContent = text
  }
  ui.empty.hidden = view.members.size > 0
}

function renderFeed () {
  const pending = view.feedPending.splice(0).slice(-FEED_MAX)
  const fragment = document.createDocumentFragment()
  for (let i = pending.length - 1; i >= 0; i--) fragment.append(feedItem(pending[i]))
  ui.feed.prepend(fragment)
  while (ui.feed.childElementCount > FEED_MAX) ui.feed.lastElementChild?.remove()
}

/**
 * @param {{ kind: 'event', type: string, at: number, member: Member } | { kind: 'note', at: number, text: string }} item
 * @returns {HTMLLIElement}
 */
function feedItem (item) {
  const li = document.createElement('li')
  const time = textElement('time', clock(item.at))
  time.dateTime = new Date(item.at).toISOString()
  li.append(time, ' ')
  if (item.kind === 'note') {
    li.className = 'note'
    li.append(textElement('span', item.text))
  } else {
    li.dataset.type = item.type
    const id = textElement('code', shortId(item.member.id), 'id')
    id.title = item.member.id
    id.dataset.full = item.member.id
    li.append(textElement('span', item.type, 'type'), ' ', id, ' ', textElement('span', describe(item.type, item.member), 'detail'))
  }
  return li
}

/**
 * @param {string} type
 * @param {Member} member
 */
function describe (type, member) {
  const meta = Object.entries(member.meta).map(([key, value]) => `${key}=${value}`).join(' ')
  if (type === 'update' || type === 'join') return `inc ${member.incarnation}${meta === '' ? '' : ` · ${meta}`}`
  return `inc ${member.incarnation}`
}

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} text
 * @param {string} [className]
 * @returns {HTMLElementTagNameMap[K]}
 */
function textElement (tag, text, className) {
  const element = document.createElement(tag)
  element.textContent = text
  if (className != null) element.className = className
  return element
}

/** PeerIds share their first characters (`12D3KooW…`): the end tells them apart. @param {string} id */
function shortId (id) {
  return id.length > 12 ? `…${id.slice(-8)}` : id
}

/** @param {number} ms */
function duration (ms) {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${s % 60}s`
  const h = Math.floor(m / 60)
  if (h < 24) return `${h}h ${m % 60}m`
  return `${Math.floor(h / 24)}d ${h % 24}h`
}

/** @param {number} at */
function clock (at) {
  const d = new Date(at)
  const pad = (/** @type {number} */ n, w = 2) => String(n).padStart(w, '0')
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

// ------------------------------------------------------------------ interaction (read-only)

ui.counts.addEventListener('click', (event) => {
  const button = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (event.target).closest('button[data-filter]'))
  if (button == null) return
  const filter = button.dataset.filter ?? ''
  if (filter === '') delete ui.table.dataset.filter
  else ui.table.dataset.filter = filter
  for (const other of ui.counts.querySelectorAll('button[data-filter]')) other.setAttribute('aria-pressed', String(other === button))
})

// the id cells show a short id; copying one (selection or button) copies the full id
document.addEventListener('copy', (event) => {
  const selection = document.getSelection()
  const node = selection?.anchorNode
  const element = node == null ? null : (node instanceof Element ? node : node.parentElement)?.closest('code.id')
  const full = /** @type {HTMLElement | null | undefined} */ (element)?.dataset.full
  if (full == null || event.clipboardData == null) return
  event.clipboardData.setData('text/plain', full)
  event.preventDefault()
})

ui.rows.addEventListener('click', (event) => {
  const button = /** @type {HTMLElement} */ (event.target).closest('button.copy')
  const code = button?.parentElement?.querySelector('code.id')
  const full = /** @type {HTMLElement | null | undefined} */ (code)?.dataset.full
  if (button == null || full == null) return
  const done = () => {
    button.textContent = 'copied'
    setTimeout(() => { button.textContent = 'copy' }, 1200)
  }
  if (navigator.clipboard != null) {
    navigator.clipboard.writeText(full).then(done, () => {})
  } else if (code != null) {
    // plain HTTP on a remote host has no clipboard API: select the id and copy (the copy handler puts the full id)
    getSelection()?.selectAllChildren(code)
    if (document.execCommand('copy')) done()
  }
})

setInterval(() => {
  view.clockDirty = true
  schedule()
}, 1000)

takeTokenFromFragment()
void follow()
void followQuorum()
void followRing()
