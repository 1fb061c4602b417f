import {expect} from 'chai'

import {run, sourceConfig, useIsolatedEnv} from '../helpers/cli.js'

/** git speaks to this one, never a person or a script: its output is the credential protocol. */
const WITHOUT_JSON = new Set(['git:credentials'])

// Every command of ours, not one topic at a time: --help works, shows examples, offers --json.
describe('help for every command', () => {
  useIsolatedEnv()

  it('lists the commands it checks', async () => {
    const ids = (await sourceConfig()).commands.map(c => c.id)
    for (const id of ['apps:create', 'config:set', 'ps:scale', 'logs', 'run', 'platform:start', 'buildpacks:set', 'login']) expect(ids).to.include(id)
  })

  it('each command: USAGE, EXAMPLES and --json', async () => {
    const config = await sourceConfig()
    const ours = config.commands.filter(c => c.pluginName === config.name)
    expect(ours.length).to.be.greaterThan(50)
    const failures: string[] = []
    for (const command of ours) {
      // eslint-disable-next-line no-await-in-loop
      const {exitCode, stdout} = await run([command.id, '--help'])
      const missing = [
        exitCode === 0 ? '' : `exit ${exitCode}`,
        stdout.includes('USAGE') ? '' : 'USAGE',
        stdout.includes('EXAMPLES') ? '' : 'EXAMPLES',
        WITHOUT_JSON.has(command.id) || stdout.includes('--json') ? '' : '--json',
      ].filter(Boolean)
      if (missing.length > 0) failures.push(`${command.id}: ${missing.join(', ')}`)
    }

    expect(failures).to.deep.equal([])
  })
})
