import {Flags} from '@oclif/core'

import {UsageError} from '../errors.js'

/** `--wait-interval SECONDS`, as the Heroku CLI spells it; fractions allowed. */
export const waitIntervalFlag = Flags.custom<number>({
  default: 5,
  description: 'seconds between checks while waiting',
  helpValue: 'SECONDS',
  async parse(input) {
    const n = Number(input)
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`--wait-interval must be a number of seconds, not ${input}.`)
    return n
  },
})()
