/**
 * `heroku run node -e "..."`: everything from the first word that is not one of heroku's own
 * flags belongs to the remote command, flags included. oclif would read that `-e` as --env, so
 * a `--` goes in front of the command before parsing. Heroku's flags still work before it, and
 * `trailingFlags` (the app and the remote) also at the very end, as Heroku's docs write it
 * (`heroku run rails console -a my-app`); a `--` typed before the command keeps even those
 * the remote command's.
 */
export function separateRemoteCommand(argv: string[], valueFlags: readonly string[], trailingFlags: readonly string[] = []): string[] {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]
    if (word === '--') return argv
    if (!word.startsWith('-') || word === '-') {
      const {command, flags} = takeTrailingFlags(argv.slice(i), trailingFlags)
      return [...argv.slice(0, i), ...flags, '--', ...command]
    }

    // a value flag given as two words (-a APP, --env K=V) also consumes the next word
    if (valueFlags.includes(word)) i++
  }

  return argv
}

/** `bash -a my-app --remote staging` → command [bash], flags [--remote staging -a my-app]. */
function takeTrailingFlags(words: string[], trailingFlags: readonly string[]): {command: string[], flags: string[]} {
  const command = [...words]
  const flags: string[] = []
  // a -- among the command's words (`ls -- -a x`) says they are all the command's
  if (command.includes('--')) return {command, flags}
  // the first word is the command itself, never a flag's value
  while (command.length > 1) {
    const last = command.at(-1)!
    const flag = command.at(-2)!
    if (trailingFlags.includes(flag) && !last.startsWith('-')) {
      flags.push(...command.splice(-2))
    } else if (trailingFlags.some(f => f.startsWith('--') && last.startsWith(`${f}=`))) {
      flags.push(...command.splice(-1))
    } else {
      break
    }
  }

  return {command, flags}
}

/** The flags of run and run:detached that take a value, in every spelling. */
export const RUN_VALUE_FLAGS = ['-a', '--app', '-r', '--remote', '-e', '--env', '-s', '--size'] as const
/** Those that are heroku's at the end of the command line too: which app, as Heroku's docs put it. */
export const RUN_TRAILING_FLAGS = ['-a', '--app', '-r', '--remote'] as const

/**
 * The remote command's words in the order typed. oclif's parsed `argv` can reorder words that
 * look like flags after `--` (`node -e x` came back as `-e node x`); its raw tokens keep order.
 */
export function remoteCommandWords(raw: ReadonlyArray<{input: string, type: string}>): string[] {
  return raw.filter(token => token.type === 'arg').map(token => token.input)
}
