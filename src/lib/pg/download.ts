import {createWriteStream} from 'node:fs'
import {rename, rm, stat} from 'node:fs/promises'
import {resolve} from 'node:path'
import {pipeline} from 'node:stream/promises'
import {setTimeout as sleep} from 'node:timers/promises'

import {httpGetStream, isTransientNetworkError} from '../api/http.js'
import {certificateAuthoritiesFor} from '../api/trust.js'
import {UserError} from '../errors.js'
import {type BackupsBase, backupUrl} from './backups.js'
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
export async function downloadBackup(opts: BackupsBase & {backup?: string, env?: NodeJS.ProcessEnv, output?: string}): Promise<DownloadResult> {
  const link = await backupUrl(opts)
  const file = resolve(opts.output ?? 'latest.dump')
  const partial = `${file}.partial`
  const spinner = await opts.out.spinner(`Downloading ${link.backup} to ${file}`)
  try {
    const {status, stream} = await fetchDump(link.url, opts.env)
    if (status < 200 || status >= 300) {
      stream.resume()
      throw new DownloadStatusError(status)
    }

    await pipeline(stream, createWriteStream(partial, {mode: 0o600}))
    await rename(partial, file)
  } catch (error) {
    spinner.fail()
    await rm(partial, {force: true})
    const status = error instanceof DownloadStatusError ? error.status : undefined
    throw new UserError(`Could not download ${link.backup}: ${status ? `the server answered ${status}` : (error as Error).message}.`, {hint: 'Try again: the download URL is valid for a few minutes only.', cause: error})
  }

  const {size} = await stat(file)
  spinner.succeed(`done, ${humanBytes(size)}`)
  return {backup: link.backup, file, size_bytes: size}
}

class DownloadStatusError extends Error {
  constructor(readonly status: number) {
    super(`the server answered ${status}`)
  }
}

/** Two more tries, half a second then a second later, after a network error before any byte arrived (a GET). */
async function withRetries<T>(attempt: () => Promise<T>, tries = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt()
    } catch (error) {
      if (i >= tries || !isTransientNetworkError(error)) throw error
      await sleep(500 * i)
    }
  }
}

/** The dump's answer, following up to five redirects (a signed storage URL may send us on). */
async function fetchDump(url: string, env?: NodeJS.ProcessEnv): Promise<Awaited<ReturnType<typeof httpGetStream>>> {
  for (let hops = 0; ; hops++) {
    // the local platform's own CA for its origin (trust.ts), Node's defaults elsewhere
    const ca = await certificateAuthoritiesFor(url, env)
    const answer = await withRetries(() => httpGetStream(url, {ca, headers: {'User-Agent': 'heroku-toolbelt'}, timeoutMs: 30_000}))
    const {location} = answer.headers
    if (answer.status < 300 || answer.status >= 400 || !location || hops === 5) return answer
    answer.stream.resume()
    url = new URL(location, url).toString()
  }
}
