/**
 * A strict parser for the subset of YAML the files under deploy/ are written in, so the tests
 * need no YAML dependency: block mappings and sequences, plain/single/double-quoted scalars,
 * flow sequences of scalars (`["a", "b"]`), empty `{}`/`[]`, literal and folded block scalars
 * (`|`, `|-`, `>`), comments and `---` document separators. Anything else (anchors, aliases,
 * tags, flow mappings with content, multi-line plain scalars, tabs) is an error rather than a
 * silent misreading, so a manifest that leaves the subset fails the test and is noticed.
 * Scalars resolve as YAML 1.1 (Kubernetes, Compose): true/false, null/~, integers, 0-prefixed
 * octal.
 */

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue }

interface Line { indent: number, text: string, number: number, index: number }

export class YamlSubsetError extends Error {
  static override name = 'YamlSubsetError'
}

/** Parses every document of `source`; empty documents are skipped. */
export function parseYamlDocuments (source: string): YamlValue[] {
  const documents: string[][] = [[]]
  for (const raw of source.split(/\r?\n/)) {
    if (/^---\s*(#.*)?$/.test(raw)) documents.push([])
    else if (/^\.\.\.\s*$/.test(raw)) documents.push([])
    else documents[documents.length - 1].push(raw)
  }
  let offset = 0
  const values: YamlValue[] = []
  for (const rawLines of documents) {
    const parser = new Parser(rawLines, offset)
    offset += rawLines.length + 1
    const value = parser.document()
    if (value !== undefined) values.push(value)
  }
  return values
}

/** Parses a single-document file. */
export function parseYaml (source: string): YamlValue {
  const documents = parseYamlDocuments(source)
  if (documents.length !== 1) throw new YamlSubsetError(`expected one YAML document, found ${documents.length}`)
  return documents[0]
}

class Parser {
  private readonly raw: string[]
  private readonly lines: Line[]
  private pos = 0

  constructor (raw: string[], offset: number) {
    this.raw = raw
    this.lines = []
    raw.forEach((text, i) => {
      if (/^\s*(#.*)?$/.test(text)) return
      if (/^ *\t/.test(text)) throw this.error(offset + i + 1, 'tab in indentation')
      const indent = text.length - text.trimStart().length
      this.lines.push({ indent, text: text.slice(indent), number: offset + i + 1, index: i })
    })
  }

  document (): YamlValue | undefined {
    if (this.lines.length === 0) return undefined
    const value = this.block(this.lines[0].indent)
    if (this.pos < this.lines.length) throw this.error(this.lines[this.pos].number, 'unexpected indentation')
    return value
  }

  private error (line: number, message: string): YamlSubsetError {
    return new YamlSubsetError(`line ${line}: ${message}`)
  }

  private block (indent: number): YamlValue {
    const line = this.lines[this.pos]
    if (line.indent !== indent) throw this.error(line.number, 'unexpected indentation')
    return line.text.startsWith('- ') || line.text === '-' ? this.sequence(indent) : this.mapping(indent)
  }

  private sequence (indent: number): YamlValue[] {
    const items: YamlValue[] = []
    while (this.pos < this.lines.length) {
      const line = this.lines[this.pos]
      if (line.indent < indent) break
      if (line.indent > indent) throw this.error(line.number, 'unexpected indentation')
      if (!(line.text.startsWith('- ') || line.text === '-')) break
      const rest = line.text.slice(1).trimStart()
      if (rest === '' || rest.startsWith('#')) {
        this.pos++
        items.push(this.nested(indent))
      } else {
        // `- key: value` starts a mapping whose keys sit at the column after "- ".
        const column = indent + line.text.length - rest.length
        if (isMappingEntry(rest)) {
          this.lines[this.pos] = { ...line, indent: column, text: rest }
          items.push(this.mapping(column))
        } else {
          this.pos++
          items.push(this.inlineValue(rest, line, indent))
        }
      }
    }
    return items
  }

  private mapping (indent: number): { [key: string]: YamlValue } {
    const map: { [key: string]: YamlValue } = {}
    while (this.pos < this.lines.length) {
      const line = this.lines[this.pos]
      if (line.indent < indent) break
      if (line.indent > indent) throw this.error(line.number, 'unexpected indentation')
      if (line.text.startsWith('- ')) break
      const entry = splitEntry(line.text)
      if (entry == null) throw this.error(line.number, `not a "key: value" entry: ${line.text}`)
      const key = scalar(entry.key, line.number)
      if (typeof key !== 'string' && typeof key !== 'number') throw this.error(line.number, 'unsupported key')
      if (Object.hasOwn(map, String(key))) throw this.error(line.number, `duplicate key "${key}"`)
      this.pos++
      const rest = stripComment(entry.value)
      map[String(key)] = rest === '' ? this.nested(indent, true) : this.inlineValue(rest, line, indent)
    }
    return map
  }

  /** The value on the following lines, more indented than `indent` (or null if none). */
  private nested (indent: number, allowSameIndentSequence = false): YamlValue {
    const next = this.lines[this.pos]
    if (next == null) return null
    if (next.indent > indent) return this.block(next.indent)
    // Compose/Kubernetes style allows a sequence at the key's own indentation.
    if (allowSameIndentSequence && next.indent === indent && next.text.startsWith('- ')) return this.sequence(indent)
    return null
  }

  private inlineValue (text: string, line: Line, indent: number): YamlValue {
    if (/^[|>][-+]?$/.test(text)) return this.blockScalar(text, line, indent)
    if (/^[&*!]/.test(text)) throw this.error(line.number, 'anchors, aliases and tags are outside the subset')
    if (text.startsWith('[')) return flowSequence(text, line.number)
    if (text.startsWith('{')) {
      if (/^\{\s*\}$/.test(text)) return {}
      throw this.error(line.number, 'flow mappings with content are outside the subset')
    }
    const next = this.lines[this.pos]
    if (next != null && next.indent > indent && !text.startsWith('"') && !text.startsWith("'")) {
      throw this.error(next.number, 'multi-line plain scalars are outside the subset')
    }
    return scalar(text, line.number)
  }

  private blockScalar (indicator: string, line: Line, indent: number): string {
    // Work on raw lines: blank lines and `#` are content inside a block scalar.
    const collected: string[] = []
    let blockIndent: number | undefined
    let i = line.index + 1
    for (; i < this.raw.length; i++) {
      const text = this.raw[i]
      if (text.trim() === '') { collected.push(''); continue }
      const lineIndent = text.length - text.trimStart().length
      if (blockIndent == null) {
        if (lineIndent <= indent) break
        blockIndent = lineIndent
      }
      if (lineIndent < blockIndent) break
      collected.push(text.slice(blockIndent))
    }
    // Skip the parsed lines that belonged to the block.
    while (this.pos < this.lines.length && this.lines[this.pos].index < i) this.pos++
    while (collected.length > 0 && collected[collected.length - 1] === '') collected.pop()
    const body = indicator.startsWith('>') ? fold(collected) : collected.join('\n')
    if (indicator.endsWith('-')) return body
    return body === '' ? '' : `${body}\n`
  }
}

function fold (lines: string[]): string {
  let out = ''
  for (const [i, line] of lines.entries()) {
    if (i === 0) out = line
    else if (line === '' || lines[i - 1] === '') out += `\n${line}`
    else out += ` ${line}`
  }
  return out
}

function isMappingEntry (text: string): boolean {
  return splitEntry(text) != null
}

/** Splits `key: value` (key plain or quoted); undefined when the text is not an entry. */
function splitEntry (text: string): { key: string, value: string } | undefined {
  const quoted = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*')\s*:(?:\s+|$)(.*)$/.exec(text)
  if (quoted != null) return { key: quoted[1], value: quoted[2] }
  const plain = /^([^\s#'"[\]{},&*!|>-][^:#]*?|-[^\s:][^:#]*?)\s*:(?:\s+|$)(.*)$/.exec(text)
  if (plain != null) return { key: plain[1], value: plain[2] }
  return undefined
}

function stripComment (text: string): string {
  let quote: string | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quote != null) {
      if (c === '\\' && quote === '"') i++
      else if (c === quote) quote = undefined
    } else if (c === '"' || c === "'") {
      if (i === 0 || /[\s[,]/.test(text[i - 1])) quote = c
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      return text.slice(0, i).trimEnd()
    }
  }
  return text.trimEnd()
}

function flowSequence (text: string, line: number): YamlValue[] {
  const match = /^\[(.*)\]$/.exec(stripComment(text))
  if (match == null) throw new YamlSubsetError(`line ${line}: unterminated flow sequence`)
  const inner = match[1].trim()
  if (inner === '') return []
  const items: string[] = []
  let current = ''
  let quote: string | undefined
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]
    if (quote != null) {
      current += c
      if (c === '\\' && quote === '"') current += inner[++i]
      else if (c === quote) quote = undefined
    } else if (c === '"' || c === "'") {
      quote = c
      current += c
    } else if (c === ',') {
      items.push(current.trim())
      current = ''
    } else if ('[]{}'.includes(c)) {
      throw new YamlSubsetError(`line ${line}: nested flow collections are outside the subset`)
    } else {
      current += c
    }
  }
  if (quote != null) throw new YamlSubsetError(`line ${line}: unterminated quote`)
  items.push(current.trim())
  return items.map((item) => scalar(item, line))
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/', 0: '\0' }

function scalar (text: string, line: number): YamlValue {
  const value = stripComment(text)
  if (value.startsWith('"')) {
    const match = /^"((?:[^"\\]|\\.)*)"$/.exec(value)
    if (match == null) throw new YamlSubsetError(`line ${line}: bad double-quoted string ${value}`)
    return match[1].replace(/\\(.)/g, (_, c: string) => {
      const escaped = ESCAPES[c]
      if (escaped == null) throw new YamlSubsetError(`line ${line}: unsupported escape \\${c}`)
      return escaped
    })
  }
  if (value.startsWith("'")) {
    const match = /^'((?:[^']|'')*)'$/.exec(value)
    if (match == null) throw new YamlSubsetError(`line ${line}: bad single-quoted string ${value}`)
    return match[1].replaceAll("''", "'")
  }
  if (/^[&*!%@`]/.test(value)) throw new YamlSubsetError(`line ${line}: "${value}" is outside the subset`)
  if (/^(null|Null|NULL|~|)$/.test(value)) return null
  if (/^(true|True|TRUE|yes|Yes|YES|on|On|ON)$/.test(value)) return true
  if (/^(false|False|FALSE|no|No|NO|off|Off|OFF)$/.test(value)) return false
  if (/^0[0-7]+$/.test(value)) return parseInt(value, 8)
  if (/^[-+]?(0|[1-9][0-9]*)$/.test(value)) return Number(value)
  if (/^[-+]?([0-9]*\.[0-9]+|[0-9]+\.[0-9]*)([eE][-+]?[0-9]+)?$/.test(value)) return Number(value)
  if (/:\s|\s#/.test(value)) throw new YamlSubsetError(`line ${line}: ambiguous plain scalar "${value}" (quote it)`)
  return value
}
