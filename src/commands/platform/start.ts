import {Flags} from '@oclif/core'
import {resolve} from 'node:path'

import {BaseCommand} from '../../lib/command/base.js'
import {dataDirFlag} from '../../lib/command/platform-flags.js'
import {UsageError} from '../../lib/errors.js'
import {readFirstLine} from '../../lib/stdin.js'
import {offerCredentialHelper} from '../../lib/git/credential-config.js'
import {helperCommandFor, installedHeroku} from '../../lib/git/installed-command.js'
import {gitBaseUrlFor} from '../../lib/git/git-host.js'
import {runGit} from '../../lib/git/run-git.js'
import {ensurePlatformOwner, type OwnerResult, writeOwnerPasswordFile} from '../../lib/platform/accounts.js'
import {logFilePath, runInForeground, runningPlatform, startDetached} from '../../lib/platform/local-process.js'
import {writeSettings} from '../../lib/settings.js'
import {DEFAULT_API_PORT, DEFAULT_ROUTER_PORT} from '../../platform/process-files.js'

export interface StartResult {
  url: string
  router_url: string
  pid: number
  data_dir: string
  owner: string
  already_running: boolean
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])

export default class PlatformStart extends BaseCommand<typeof PlatformStart> {
  static override summary = 'start the local platform: the Platform API and git on one port, the app router on another'
  static override description = `On first start it creates the owner account (--email, default: git config user.email) with a password printed once on a terminal, written to a file readable only by you otherwise (or read with --password-stdin), logs this CLI in with a fresh token and makes the platform its default API, so that heroku apps:create just works.

Add-on services (heroku addons:services) are real servers the platform runs under its data dir: PostgreSQL, Redis, Memcache and a mail catcher, started when an add-on first needs one and at every start while add-ons use them (docs/addons.md).

Environment:
  HEROKU_PLATFORM_POSTGRES_URL  postgres://ADMIN:PASSWORD@HOST:PORT/postgres — heroku-postgresql databases go to that server instead of the platform's own
  HEROKU_PLATFORM_SANDBOX=off   dynos, builds and add-on servers run unconfined (announced at start)`

  static override examples = [
    '<%= config.bin %> platform:start --detach',
    '<%= config.bin %> platform:start                     # in the foreground; Ctrl-C stops it',
    'echo "$PASSWORD" | <%= config.bin %> platform:start --detach --email me@example.com --password-stdin',
  ]

  static override flags = {
    'data-dir': dataDirFlag,
    detach: Flags.boolean({char: 'd', description: 'run in the background (pid and log files in the data dir)'}),
    'git-setup': Flags.boolean({allowNo: true, description: 'let git push to the platform with this login (asked on a TTY when not given)'}),
    email: Flags.string({description: 'the owner account\'s email, on first start (default: git config user.email)'}),
    host: Flags.string({default: '127.0.0.1', description: 'interface to listen on; anything but loopback exposes the platform to your network'}),
    'password-stdin': Flags.boolean({description: 'read the owner\'s password from stdin instead of generating one'}),
    port: Flags.integer({default: DEFAULT_API_PORT, description: 'port of the Platform API and git', max: 65_535, min: 0}),
    'router-port': Flags.integer({default: DEFAULT_ROUTER_PORT, description: 'port of the router that serves apps', max: 65_535, min: 0}),
  }

  async run(): Promise<StartResult> {
    const dataDir = resolve(this.flags['data-dir'])
    const {host, port} = this.flags
    const routerPort = this.flags['router-port']
    if (!LOOPBACK.has(host)) {
      this.out.warn(`Listening on ${host}: anyone who can reach this machine can reach the platform's API, git and apps. Every request still needs a token.`)
    }

    const already = runningPlatform(dataDir)
    if (already) {
      if (!this.flags.detach) throw new UsageError(`The platform is already running at ${already.url} (pid ${already.pid}).`, {hint: 'Stop it with heroku platform:stop.'})
      this.out.log(`The platform is already running at ${already.url} (pid ${already.pid}).`)
      return {already_running: true, data_dir: dataDir, owner: '', pid: already.pid, router_url: routerUrl(already.routerPort), url: already.url}
    }

    const owner = await this.ensureOwner(dataDir)
    const opts = {dataDir, host, port, routerPort}
    if (this.flags.detach) {
      const state = await startDetached(opts)
      await this.adopt(owner, state.url)
      this.out.log(`Platform running at ${state.url} (pid ${state.pid}); apps at ${routerUrl(state.routerPort, 'APP')}`)
      this.out.log(`Log: ${logFilePath(dataDir)}  ·  Stop: heroku platform:stop`)
      if (state.sandbox && !state.sandbox.enabled) this.out.warn(`No sandbox for dynos and builds: ${state.sandbox.reason}.`)
      return {already_running: false, data_dir: dataDir, owner: owner.email, pid: state.pid, router_url: routerUrl(state.routerPort), url: state.url}
    }

    let started: StartResult | undefined
    const code = await runInForeground(opts, state => {
      this.adopt(owner, state.url).then(() => {
        this.out.info(`Platform running at ${state.url}; apps at ${routerUrl(state.routerPort, 'APP')}. Ctrl-C stops it.`)
      }, error => this.out.warn((error as Error).message))
      started = {already_running: false, data_dir: dataDir, owner: owner.email, pid: state.pid, router_url: routerUrl(state.routerPort), url: state.url}
    })
    if (code !== 0 && !started) this.exit(code)
    return started ?? {already_running: false, data_dir: dataDir, owner: owner.email, pid: 0, router_url: '', url: ''}
  }

  /** First start: create the owner; say the password once. */
  private async ensureOwner(dataDir: string): Promise<OwnerResult> {
    const email = this.flags.email ?? await gitEmail()
    const password = this.flags['password-stdin'] ? await readFirstLine(process.stdin) : undefined
    if (this.flags['password-stdin'] && !password) {
      throw new UsageError('No password on standard input.', {hint: 'echo "$PASSWORD" | heroku platform:start --password-stdin'})
    }

    const owner = await ensurePlatformOwner(dataDir, email, password)
    if (owner.created) {
      this.out.info(`Created the owner account ${owner.email}.`)
      if (owner.generatedPassword && this.out.interactive) {
        this.out.info(`Its password (shown once; heroku login needs it on another machine): ${owner.generatedPassword}`)
      } else if (owner.generatedPassword) {
        // off a terminal this lands in CI logs and log files: the password goes to a private file
        const file = writeOwnerPasswordFile(dataDir, owner.generatedPassword)
        this.out.info(`Its password (heroku login needs it on another machine) is in ${file}, readable by you only: read it once, then delete that file.`)
      }
    }

    return owner
  }

  /** Makes the platform this CLI's default API, logged in as the owner when just created. */
  private async adopt(owner: OwnerResult, url: string): Promise<void> {
    writeSettings({apiUrl: url}, this.env)
    if (owner.token) {
      const storage = await this.credentials.save(url, owner.token)
      this.out.info(`Logged this CLI in to ${url} as ${owner.email} (token in your ${storage === 'keychain' ? 'keychain' : 'credentials file'}).`)
    } else if (!(await this.credentials.read(url))) {
      this.out.info(`Log in with: heroku login --api-url ${url}`)
      return
    }

    // git runs the installed heroku (a stable path), never a file inside this package or a clone
    const heroku = installedHeroku(this.config.root, this.env)
    await offerCredentialHelper({
      env: this.env,
      gitBase: gitBaseUrlFor(url, this.env),
      helperCommand: helperCommandFor(heroku.path),
      helperOnPath: heroku.installed,
      out: this.out,
      wanted: this.flags['git-setup'],
    })
  }
}

function routerUrl(port: number, app?: string): string {
  return `http://${app ? `${app}.` : ''}localhost:${port}/`
}

async function gitEmail(): Promise<string | undefined> {
  const email = await runGit(['config', 'user.email']).catch(() => '')
  return email.trim() || undefined
}
