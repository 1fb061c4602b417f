import {readdirSync, readFileSync} from 'node:fs'

/** The pids of every live process (zombies are dead already) in one of these process groups, from /proc. */
export function inGroups(pgids: number[]): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // pid (comm) state ppid pgrp …: comm may hold spaces, so read after its closing parenthesis
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (pgids.includes(Number(pgrp)) && state !== 'Z') found.push(Number(entry))
    } catch {
      // gone while listing
    }
  }

  return found
}
