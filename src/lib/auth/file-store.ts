import {chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {configDir} from '../paths.js'

/**
 * The plain-text fallback for machines with no keychain: one JSON file, mode 0600, in the
 * config dir. Only used when the keychain does not answer, and always announced.
 */
export class CredentialFile {
  readonly path: string

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.path = join(configDir(env), 'credentials.json')
  }

  get(account: string): string | undefined {
    return this.read()[account]
  }

  set(account: string, token: string): void {
    this.write({...this.read(), [account]: token})
  }

  delete(account: string): boolean {
    const all = this.read()
    if (!(account in all)) return false
    delete all[account]
    this.write(all)
    return true
  }

  private read(): Record<string, string> {
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as unknown
      if (!parsed || typeof parsed !== 'object') return {}
      return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'))
    } catch {
      return {}
    }
  }

  private write(all: Record<string, string>): void {
    mkdirSync(join(this.path, '..'), {recursive: true, mode: 0o700})
    const tmp = `${this.path}.tmp`
    writeFileSync(tmp, JSON.stringify(all, null, 2) + '\n', {mode: 0o600})
    chmodSync(tmp, 0o600) // mode is ignored when the file already existed
    renameSync(tmp, this.path)
  }
}
