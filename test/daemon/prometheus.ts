/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for assertions:
 * every line must be a HELP, a TYPE or a sample, or the parse fails.
 */

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

export interface Exposition {
  types: Map<string, string>
  samples: Sample[]
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*'
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\]|\\\\.)*",?)*)\\})? (\\S+)(?: -?\\d+)?$`)
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

export function parsePrometheus (text: string): Exposition {
  const types = new Map<string, string>()
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '') continue
    const type = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line)
    if (type != null) {
      types.set(type[1], type[2])
      continue
    }
    if (new RegExp(`^# HELP ${NAME} `).test(line)) continue
    const sample = SAMPLE.exec(line)
    if (sample == null) throw new Error(`Not Prometheus text: ${JSON.stringify(line)}`)
    const labels: Record<string, string> = {}
    for (const [, key, value] of (sample[2] ?? '').matchAll(LABEL)) labels[key] = value
    // values are Go floats: ParseFloat accepts NaN and Inf in any case (prom-client writes "Nan")
    const text = sample[3].toLowerCase()
    const value = /^[+]?inf$/.test(text) ? Infinity : text === '-inf' ? -Infinity : text === 'nan' ? NaN : Number(text)
    if (Number.isNaN(value) && text !== 'nan') throw new Error(`Bad sample value: ${JSON.stringify(line)}`)
    samples.push({ name: sample[1], labels, value })
  }
  return { types, samples }
}

export function sampleValue (exposition: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  return exposition.samples.find((sample) => sample.name === name &&
    Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value
}
