import type {Build} from '@heroku-cli/schema'

import {Args} from '@oclif/core'

import {buildOutput} from '../../lib/builds/builds.js'
import {AppCommand} from '../../lib/command/app-command.js'
import {jsonFlag} from '../../lib/command/json-flag.js'

export default class BuildsOutput extends AppCommand<typeof BuildsOutput> {
  static override summary = 'show what a build printed (the newest by default), following it while it runs'
  static override examples = ['<%= config.bin %> builds:output -a my-app', '<%= config.bin %> builds:output 01234567-89ab-cdef-0123-456789abcdef -a my-app']

  static override args = {
    build: Args.string({description: 'the build\'s id (see heroku builds)'}),
  }

  static override flags = {
    json: jsonFlag('the build object and its output ({build, output}; build as the Platform API returned it)'),
  }

  async run(): Promise<{build: Build, output: string}> {
    return buildOutput({api: this.api, app: await this.app(), id: this.args.build, out: this.out})
  }
}
