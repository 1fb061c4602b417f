import type {Hook} from '@oclif/core'

import {ExitCode} from '../errors.js'

/**
 * An unknown command is a usage error (exit 2, as the README's table says), and the closest
 * command is named on stderr whether or not a person is at a terminal: a script's log shows
 * the fix too. Nothing is run in its place.
 */
const hook: Hook<'command_not_found'> = async function (opts) {
  const {config} = opts
  const hidden = new Set(config.commands.filter(c => c.hidden).map(c => c.id))
  const known = [...config.commandIDs, ...config.commands.flatMap(c => c.aliases ?? [])].filter(id => !hidden.has(id))
  const typed = opts.id
  const suggestion = closestCommand(typed, known)
  const topic = typed.split(':')[0]
  const help = config.findTopic(topic) ? `${config.bin} help ${topic}` : `${config.bin} help`
  const lines = [`${typed} is not a ${config.bin} command.`]
  if (suggestion) lines.push(`Did you mean ${suggestion}?`)
  lines.push(`Run ${help} for a list of commands.`)
  this.error(lines.join('\n'), {exit: ExitCode.usage})
}

export default hook

/** The known id nearest to what was typed, if it is near enough to be a typo. */
export function closestCommand(typed: string, known: string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const id of new Set(known)) {
    const d = editDistance(typed, id)
    if (d < bestDistance || (d === bestDistance && best !== undefined && id.length < best.length)) {
      best = id
      bestDistance = d
    }
  }

  // a third of the word: "apps:craete" → apps:create, "xyzzy" → nothing
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(typed.length / 3)) ? best : undefined
}

/** Levenshtein distance, a swap of two neighbours counting as one edit. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({length: a.length + 1}, (_, i) => [i, ...Array.from({length: b.length}, () => 0)])
  for (let j = 1; j <= b.length; j++) rows[0][j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1)
    }
  }

  return rows[a.length][b.length]
}
