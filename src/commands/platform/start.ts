import {Flags} from '@oclif/core'
import {resolve} from 'node:path'

import type {PlatformProcessState} from '../../platform/process-files.js'

import {BaseCommand} from '../../lib/command/base.js'
import {jsonFlag} from '../../lib/command/json-flag.js'
import {dataDirFlag} from '../../lib/command/platform-flags.js'
import {UsageError} from '../../lib/errors.js'
import {gitCaKey, offerCredentialHelper} from '../../lib/git/credential-config.js'
import {gitBaseUrlFor} from '../../lib/git/git-host.js'
import {helperCommandFor, installedHeroku} from '../../lib/git/installed-command.js'
import {runGit} from '../../lib/git/run-git.js'
import {ensurePlatformOwner, type OwnerResult, writeOwnerPasswordFile} from '../../lib/platform/accounts.js'
import {platformCaPath, trustInstructions, trustPlatform} from '../../lib/platform/local-ca.js'
import {logFilePath, routerUrl, runInForeground, runningPlatform, startDetached} from '../../lib/platform/local-process.js'
import {writeSettings} from '../../lib/settings.js'
import {readFirstLine} from '../../lib/stdin.js'
import {DEFAULT_API_PORT, DEFAULT_ROUTER_PORT} from '../../platform/process-files.js'

export interface StartResult {
  already_running: boolean
  /** the platform's certificate authority (an HTTPS platform); null for a plain-HTTP one */
  ca_path: null | string
  data_dir: string
  owner: string
  pid: number
  router_url: string
  url: string
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])

export default class PlatformStart extends BaseCommand<typeof PlatformStart> {
  static override summary = 'start the local platform: the Platform API and git on one port (HTTPS), the app router on another'
  static override description = `On first start it creates the owner account (--email, default: git config user.email) with a password printed once on a terminal, written to a file readable only by you otherwise (or read with --password-stdin), logs this CLI in with a fresh token and makes the platform its default API, so that heroku apps:create just works.

The API and git speak HTTPS with a certificate from the platform's own certificate authority (DATA/tls/ca.pem, made at first start). This CLI trusts it for the platform's URL only (recorded in its settings; heroku login --api-url URL records it too); --git-setup makes git trust it for that URL only (git config http.URL/.sslCAInfo). Other Node clients, such as the official Heroku CLI, take NODE_EXTRA_CA_CERTS=DATA/tls/ca.pem; for the system or a browser see docs/tls.md.

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
    json: jsonFlag('the platform started ({url, router_url, pid, data_dir, owner, already_running, ca_path}; not an API object)'),
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
      // found running (started by another CLI, or before this one trusted it): trust its CA now
      const caPath = trustPlatform(already, this.env)
      if (caPath) for (const line of trustInstructions(already.url, caPath, await this.gitCaState(already.url, caPath))) this.out.info(line)
      return {already_running: true, ca_path: caPath ?? null, data_dir: dataDir, owner: '', pid: already.pid, router_url: routerUrl(already), url: already.url}
    }

    const owner = await this.ensureOwner(dataDir)
    const opts = {dataDir, host, port, routerPort}
    if (this.flags.detach) {
      const state = await startDetached(opts)
      const git = await this.adopt(owner, state)
      this.out.log(`Platform running at ${state.url} (pid ${state.pid}); apps at ${routerUrl(state, 'APP')}`)
      this.out.log(`Log: ${logFilePath(dataDir)}  ·  Stop: heroku platform:stop`)
      const caPath = platformCaPath(state)
      if (caPath) for (const line of trustInstructions(state.url, caPath, git)) this.out.info(line)
      if (state.sandbox && !state.sandbox.enabled) this.out.warn(`No sandbox for dynos and builds: ${state.sandbox.reason}.`)
      return {already_running: false, ca_path: caPath ?? null, data_dir: dataDir, owner: owner.email, pid: state.pid, router_url: routerUrl(state), url: state.url}
    }

    let started: StartResult | undefined
    const code = await runInForeground(opts, state => {
      const caPath = platformCaPath(state)
      this.adopt(owner, state).then(git => {
        if (caPath) for (const line of trustInstructions(state.url, caPath, git)) this.out.info(line)
        this.out.info(`Platform running at ${state.url}; apps at ${routerUrl(state, 'APP')}. Ctrl-C stops it.`)
      }, error => this.out.warn((error as Error).message))
      started = {already_running: false, ca_path: caPath ?? null, data_dir: dataDir, owner: owner.email, pid: state.pid, router_url: routerUrl(state), url: state.url}
    })
    if (code !== 0 && !started) this.exit(code)
    return started ?? {already_running: false, ca_path: null, data_dir: dataDir, owner: owner.email, pid: 0, router_url: '', url: ''}
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

  /**
   * Makes the platform this CLI's default API, its CA trusted for its URL only, logged in as the
   * owner when just created; says whether git was told to trust the CA.
   */
  private async adopt(owner: OwnerResult, state: PlatformProcessState): Promise<'set' | 'suggested'> {
    const {url} = state
    writeSettings({apiUrl: url}, this.env)
    const caPath = trustPlatform(state, this.env)
    if (owner.token) {
      const storage = await this.credentials.save(url, owner.token)
      this.out.info(`Logged this CLI in to ${url} as ${owner.email} (token in your ${storage === 'keychain' ? 'keychain' : 'credentials file'}).`)
    } else if (!(await this.credentials.read(url))) {
      this.out.info(`Log in with: heroku login --api-url ${url}`)
      return this.gitCaState(url, caPath)
    }

    // git runs the installed heroku (a stable path), never a file inside this package or a clone
    const heroku = installedHeroku(this.config.root, this.env)
    const gitBase = gitBaseUrlFor(url, this.env)
    await offerCredentialHelper({
      // git on the platform's own origin: its CA; never for a git host elsewhere (HEROKU_GIT_HOST)
      caFile: new URL(gitBase).origin === new URL(url).origin ? caPath : undefined,
      env: this.env,
      gitBase,
      helperCommand: helperCommandFor(heroku.path),
      helperOnPath: heroku.installed,
      out: this.out,
      prompter: this.prompter,
      wanted: this.flags['git-setup'],
    })
    return this.gitCaState(url, caPath)
  }

  /** Whether git's global config already trusts caPath for the platform's origin. */
  private async gitCaState(url: string, caPath: string | undefined): Promise<'set' | 'suggested'> {
    if (!caPath) return 'suggested'
    const now = await runGit(['config', '--global', '--get', gitCaKey(url)], {env: this.env}).catch(() => '')
    return now.trim() === caPath ? 'set' : 'suggested'
  }
}

async function gitEmail(): Promise<string | undefined> {
  const email = await runGit(['config', 'user.email']).catch(() => '')
  return email.trim() || undefined
}
