import {Command, Flags, Interfaces} from '@oclif/core'

import {resolveApiUrl} from '../api/base-url.js'
import {ApiClient} from '../api/client.js'
import {CredentialStore} from '../auth/credentials.js'
import {NotLoggedInError} from '../errors.js'
import {readSettings} from '../settings.js'
import {Output} from '../ui/output.js'
import {type Prompter, TerminalPrompter} from '../ui/prompter.js'
import {renderError} from '../ui/render-error.js'

/** The flags of a command: its own and the base flags of its class (AppCommand adds --app/--remote). */
export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<T['baseFlags'] & T['flags']>
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/**
 * What every command shares: parsed flags and args, the output layer, the prompter, the API
 * client with credentials read lazily, and the single error path. Subclasses implement `run()`
 * and return their result: oclif prints it for --json, and human output goes through `this.out`;
 * lib functions that ask get `this.prompter` in their options.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override baseFlags = {
    color: Flags.boolean({
      allowNo: true,
      default: true,
      description: 'colour output on a terminal (--no-color turns it off; so does NO_COLOR)',
      helpGroup: 'GLOBAL',
    }),
  }

  static override enableJsonFlag = true

  protected flags!: BaseFlags<T>
  protected args!: BaseArgs<T>
  protected out!: Output
  protected prompter!: Prompter
  private cachedApi?: ApiClient
  private cachedCredentials?: CredentialStore

  protected get env(): NodeJS.ProcessEnv {
    return process.env
  }

  protected get debugEnabled(): boolean {
    const v = this.env.HEROKU_DEBUG
    return Boolean(v) && v !== '0' && v !== 'false'
  }

  override async init(): Promise<void> {
    await super.init()
    // the output layer must exist before parsing, so that parse errors render like any other
    this.out = new Output({json: this.jsonEnabled(), env: this.env, color: !this.argv.includes('--no-color')})
    this.prompter = new TerminalPrompter({out: this.out})
    const {args, flags} = await this.parse(this.ctor)
    this.flags = flags as BaseFlags<T>
    this.args = args as BaseArgs<T>
  }

  /** The platform's API URL: HEROKU_API_URL, HEROKU_HOST, saved login URL, or Heroku (a bad one is a UsageError). */
  protected apiUrl(): string {
    return resolveApiUrl(this.env, readSettings(this.env))
  }

  protected get credentials(): CredentialStore {
    this.cachedCredentials ??= new CredentialStore({env: this.env, warn: m => this.out.warn(m)})
    return this.cachedCredentials
  }

  /** The API client; the token is read from the credential store on the first request. */
  protected get api(): ApiClient {
    this.cachedApi ??= this.makeApiClient(this.apiUrl())
    return this.cachedApi
  }

  protected makeApiClient(baseUrl: string, token?: string): ApiClient {
    return new ApiClient({
      baseUrl,
      debug: this.debugEnabled ? line => this.out.info(line) : undefined,
      token: async () => {
        if (token) return token
        const found = await this.credentials.read(baseUrl)
        if (!found) throw new NotLoggedInError(`Not logged in to ${baseUrl}.`)
        return found.token
      },
      userAgent: `heroku-toolbelt/${this.config.version} node/${process.version}`,
    })
  }

  protected override async catch(err: Error & {exitCode?: number}): Promise<unknown> {
    if (err instanceof Error && (err as {code?: string}).code === 'EEXIT') throw err // this.exit()
    // init may have failed before the output layer existed
    this.out ??= new Output({json: this.argv.includes('--json'), env: this.env})
    const code = renderError(this.out, err, {debug: this.debugEnabled})
    this.exit(code)
  }
}
