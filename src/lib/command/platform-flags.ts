import {Flags} from '@oclif/core'
import {join} from 'node:path'

import {dataDir} from '../paths.js'

/** The local platform's data dir: apps, config, slugs and its SQLite store. */
export const dataDirFlag = Flags.string({
  default: async () => join(dataDir(), 'platform'),
  defaultHelp: async () => '$XDG_DATA_HOME/heroku-toolbelt/platform',
  description: 'where the platform keeps its data',
  env: 'HEROKU_PLATFORM_DATA_DIR',
  helpValue: 'DIR',
})
