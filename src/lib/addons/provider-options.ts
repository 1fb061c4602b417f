import {UsageError} from '../errors.js'

/**
 * Provider options given after `--`: `--version 15 --ha --tier=gold` becomes
 * `{version: '15', ha: 'true', tier: 'gold'}`, the add-on's `config` object.
 */
export function parseProviderOptions(argv: string[]): Record<string, string> {
  const config: Record<string, string> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const match = /^--?([^=]+)(?:=(.*))?$/s.exec(arg)
    if (!match) throw new UsageError(`Unexpected provider option ${arg}: options after -- look like --name value or --name=value.`)
    const [, name, inline] = match
    if (inline !== undefined) {
      config[name] = inline
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('-')) {
      config[name] = argv[++i]
    } else {
      config[name] = 'true'
    }
  }

  return config
}
