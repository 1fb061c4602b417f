import {Flags} from '@oclif/core'

/**
 * A command's --json flag, saying in --help what it prints: the API object (or list) exactly as
 * the Platform API returned it (DESIGN), or, for a command that is no API call, the result it
 * describes. It replaces oclif's generic "Format output as json." (enableJsonFlag stays on).
 */
export function jsonFlag(prints: string) {
  return Flags.boolean({description: `print ${prints} as JSON`, helpGroup: 'GLOBAL'})
}
