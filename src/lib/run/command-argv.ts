/**
 * `heroku run node -e "..."`: everything from the first word that is not one of heroku's own
 * flags belongs to the remote command, flags included. oclif would read that `-e` as --env, so
 * a `--` goes in front of the command before parsing. Heroku's flags still work before it.
 */
export function separateRemoteCommand(argv: string[], valueFlags: readonly string[]): string[] {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]
    if (word === '--') return argv
    if (!word.startsWith('-') || word === '-') return [...argv.slice(0, i), '--', ...argv.slice(i)]
    // a value flag given as two words (-a APP, --env K=V) also consumes the next word
    if (valueFlags.includes(word)) i++
  }

  return argv
}

/** The flags of run and run:detached that take a value, in every spelling. */
export const RUN_VALUE_FLAGS = ['-a', '--app', '-r', '--remote', '-e', '--env', '-s', '--size'] as const

/**
 * The remote command's words in the order typed. oclif's parsed `argv` can reorder words that
 * look like flags after `--` (`node -e x` came back as `-e node x`); its raw tokens keep order.
 */
export function remoteCommandWords(raw: ReadonlyArray<{input: string, type: string}>): string[] {
  return raw.filter(token => token.type === 'arg').map(token => token.input)
}
