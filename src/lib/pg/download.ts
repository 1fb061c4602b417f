import {createWriteStream} from 'node:fs'
import {rename, rm, stat} from 'node:fs/promises'
import {resolve} from 'node:path'
import {pipeline} from 'node:stream/promises'

import {certificateAuthoritiesFor} from '../api/trust.js'
import {UserError} from '../errors.js'
import {backupUrl, type BackupsBase} from './backups.js'
import {humanBytes} from './info.js'

export interface DownloadResult {
  backup: string
  file: string
  size_bytes: number
}

/**
 * pg:backups:download: the backup's dump (pg_dump's custom format, for pg_restore) into FILE,
 * latest.dump by default, readable by you only. It follows the URL the platform hands out.
 */
export async function downloadBackup(opts: BackupsBase & {backup?: string; output?: string; env?: NodeJS.ProcessEnv}): Promise<DownloadResult> {
  const link = await backupUrl(opts)
  const file = resolve(opts.output ?? 'latest.dump')
  const partial = `${file}.partial`
  const spinner = await opts.out.spinner(`Downloading ${link.backup} to ${file}`)
  try {
    const {default: got} = await import('got')
    // the local platform's own CA for its origin (trust.ts), Node's defaults elsewhere
    const certificateAuthority = await certificateAuthoritiesFor(link.url, opts.env)
    const stream = got.stream(link.url, {
      retry: {limit: 2},
      timeout: {response: 30_000},
      ...(certificateAuthority ? {https: {certificateAuthority}} : {}),
    })
    await pipeline(stream, createWriteStream(partial, {mode: 0o600}))
    await rename(partial, file)
  } catch (error) {
    spinner.fail()
    await rm(partial, {force: true})
    const status = (error as {response?: {statusCode?: number}}).response?.statusCode
    throw new UserError(`Could not download ${link.backup}: ${status ? `the server answered ${status}` : (error as Error).message}.`, {hint: 'Try again: the download URL is valid for a few minutes only.', cause: error})
  }
  const size = (await stat(file)).size
  spinner.succeed(`done, ${humanBytes(size)}`)
  return {backup: link.backup, file, size_bytes: size}
}
