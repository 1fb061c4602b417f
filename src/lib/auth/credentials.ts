import {apiHostKey} from '../api/base-url.js'
import {CredentialFile} from './file-store.js'
import {Keychain, KeychainUnavailableError, OsKeychain} from './keychain.js'
import {netrcPassword} from './netrc.js'

export type TokenSource = 'env' | 'file' | 'keychain' | 'netrc'
export type TokenStorage = 'file' | 'keychain'

export interface CredentialOptions {
  env?: NodeJS.ProcessEnv
  file?: CredentialFile
  keychain?: Keychain
  netrcPath?: string
  /** where the fallback announcement goes (stderr) */
  warn?: (message: string) => void
}

/**
 * Where the token for an API comes from, in order: HEROKU_API_KEY (never stored) → the OS
 * keychain (service heroku-toolbelt, account = the API host) → the 0600 fallback file → an
 * existing ~/.netrc entry of the Heroku CLI (read only).
 */
export class CredentialStore {
  private readonly env: NodeJS.ProcessEnv
  private readonly keychain: Keychain
  private readonly file: CredentialFile
  private readonly warn: (message: string) => void
  private readonly netrcPath?: string

  constructor(opts: CredentialOptions = {}) {
    this.env = opts.env ?? process.env
    this.keychain = opts.keychain ?? new OsKeychain()
    this.file = opts.file ?? new CredentialFile(this.env)
    this.warn = opts.warn ?? (() => {})
    this.netrcPath = opts.netrcPath
  }

  async read(apiUrl: string): Promise<undefined | {source: TokenSource, token: string}> {
    const fromEnv = this.env.HEROKU_API_KEY?.trim()
    if (fromEnv) return {source: 'env', token: fromEnv}
    const account = apiHostKey(apiUrl)
    const fromKeychain = await this.keychain.get(account).catch(() => undefined)
    if (fromKeychain) return {source: 'keychain', token: fromKeychain}
    const fromFile = this.file.get(account)
    if (fromFile) return {source: 'file', token: fromFile}
    const fromNetrc = netrcPassword(new URL(apiUrl).hostname, this.netrcPath)
    if (fromNetrc) return {source: 'netrc', token: fromNetrc}
    return undefined
  }

  /** Stores in the keychain, or in the fallback file (announced) when no keychain answers. */
  async save(apiUrl: string, token: string): Promise<TokenStorage> {
    const account = apiHostKey(apiUrl)
    try {
      await this.keychain.set(account, token)
      this.file.delete(account) // a stale plain-text copy must not outlive a move to the keychain
      return 'keychain'
    } catch (error) {
      if (!(error instanceof KeychainUnavailableError)) throw error
      this.file.set(account, token)
      this.warn(`${error.message}.\nThe token is stored in plain text in ${this.file.path} (mode 0600).\n`
        + 'To keep it in a keychain instead, run a Secret Service (e.g. gnome-keyring) or use HEROKU_API_KEY, then heroku login again.')
      return 'file'
    }
  }

  /** Forgets the token everywhere we stored it (the netrc is never written). */
  async forget(apiUrl: string): Promise<TokenStorage[]> {
    const account = apiHostKey(apiUrl)
    const removed: TokenStorage[] = []
    if (await this.keychain.delete(account).catch(() => false)) removed.push('keychain')
    if (this.file.delete(account)) removed.push('file')
    return removed
  }
}
