import type {Build} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {buildInfo} from '../../lib/builds/builds.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class BuildsInfo extends AppCommand<typeof BuildsInfo> {
  static override summary = 'show one build (the newest by default)'
  static override examples = ['<%= config.bin %> builds:info -a my-app', '<%= config.bin %> builds:info 01234567-89ab-cdef-0123-456789abcdef -a my-app --json']

  static override args = {
    build: Args.string({description: 'the build\'s id (see heroku builds)'}),
  }

  static override flags = {
    json: jsonFlag('the build object (Platform API)'),
  }

  async run(): Promise<Build> {
    return buildInfo({api: this.api, app: await this.app(), id: this.args.build, out: this.out})
  }
}
