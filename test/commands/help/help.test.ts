import {expect} from 'chai'
import {execFileSync} from 'node:child_process'

import {run, sourceConfig, useIsolatedEnv} from '../../helpers/cli.js'

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

describe('heroku help, at the root', () => {
  useIsolatedEnv()

  // the built CLI: the help plugin and ours together, as installed
  it('lists each command once: no aliases as commands, no topic again as a command, our wording', () => {
    const stdout = execFileSync(process.execPath, ['bin/run.js', 'help'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
    const commands = stdout.slice(stdout.indexOf('COMMANDS'))
    const listed = commands.split('\n').slice(1).map(l => /^ {2}(\S+)/.exec(l)?.[1]).filter(Boolean)
    for (const alias of ['create', 'login', 'scale', 'whoami', 'destroy', 'info']) expect(listed).not.to.include(alias)
    expect(listed).not.to.include('plugins')
    expect(stdout.match(/^ {2}plugins /gm)).to.have.length(1) // the topic, once
    // the column's width follows the longest topic name
    expect(stdout).to.match(/^ {2}plugins +list installed plugins$/m)
    expect(stdout).to.include('display help for heroku\n')
    expect(stdout).not.to.match(/List installed plugins|Display help/)
    // ours are left as written: a product name keeps its capital
    expect(stdout).to.match(/^ {2}pg +Heroku Postgres databases/m)
  })

  it('still shows an alias in its command\'s help', async () => {
    const {stdout} = await run(['apps:create', '--help'])
    expect(stdout).to.match(/ALIASES\n\s+\$ heroku create/)
  })
})

describe('an unknown command', () => {
  useIsolatedEnv()

  it('is a usage error (exit 2) that names the closest command', async () => {
    const {error, exitCode} = await run(['apps:craete'])
    expect(exitCode).to.equal(2)
    expect(error?.message).to.equal('apps:craete is not a heroku command.\nDid you mean apps:create?\nRun heroku help apps for a list of commands.')
  })

  it('suggests nothing when nothing is close', async () => {
    const {error, exitCode} = await run(['xyzzy'])
    expect(exitCode).to.equal(2)
    expect(error?.message).to.equal('xyzzy is not a heroku command.\nRun heroku help for a list of commands.')
  })
})
