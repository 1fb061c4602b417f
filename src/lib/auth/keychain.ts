/**
 * The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux) through the
 * package @napi-rs/keyring, every call bounded by a timeout. On Linux, `getPassword` answers null when no
 * Secret Service runs at all, which looks like "no token" — so availability is probed explicitly
 * (listing credentials fails without a reachable service) before anything is trusted.
 */
export interface Keychain {
  /** whether a keychain answers at all; cached after the first call */
  available(): Promise<boolean>
  /** true if something was deleted */
  delete(account: string): Promise<boolean>
  get(account: string): Promise<string | undefined>
  set(account: string, secret: string): Promise<void>
}

export const KEYCHAIN_SERVICE = 'heroku-toolbelt'

export class KeychainUnavailableError extends Error {
  constructor(reason: string) {
    super(`No OS keychain answered: ${reason}`)
    this.name = 'KeychainUnavailableError'
  }
}

type KeyringModule = typeof import('@napi-rs/keyring')

export class OsKeychain implements Keychain {
  private availability?: Promise<boolean>
  private module?: Promise<KeyringModule>

  constructor(private readonly service = KEYCHAIN_SERVICE, private readonly timeoutMs = 3000) {}

  available(): Promise<boolean> {
    this.availability ??= this.probe()
    return this.availability
  }

  async get(account: string): Promise<string | undefined> {
    if (!(await this.available())) return undefined
    const entry = await this.entry(account)
    const value = await this.bounded('read', signal => entry.getPassword(signal))
    return value ?? undefined
  }

  async set(account: string, secret: string): Promise<void> {
    if (!(await this.available())) throw new KeychainUnavailableError('no keychain service')
    const entry = await this.entry(account)
    try {
      await this.bounded('write', signal => entry.setPassword(secret, signal))
    } catch (error) {
      // e.g. a Secret Service without an unlocked default collection
      throw new KeychainUnavailableError((error as Error).message)
    }
  }

  async delete(account: string): Promise<boolean> {
    if (!(await this.available())) return false
    const entry = await this.entry(account)
    return this.bounded('delete', signal => entry.deletePassword(signal))
  }

  private async probe(): Promise<boolean> {
    try {
      const keyring = await this.load()
      await this.bounded('probe', signal => keyring.findCredentialsAsync(this.service, undefined, signal))
      return true
    } catch {
      return false
    }
  }

  private load(): Promise<KeyringModule> {
    this.module ??= import('@napi-rs/keyring')
    return this.module
  }

  private async entry(account: string) {
    const keyring = await this.load()
    // pinned to the Secret Service on Linux: the kernel keyring would lose the token at reboot
    return new keyring.AsyncEntry(this.service, account, {linux: {store: 'secret-service'}})
  }

  private async bounded<T>(what: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort()
        reject(new KeychainUnavailableError(`the keychain did not answer a ${what} within ${this.timeoutMs} ms`))
      }, this.timeoutMs)
    })
    try {
      return await Promise.race([call(controller.signal), timeout])
    } finally {
      clearTimeout(timer)
    }
  }
}
