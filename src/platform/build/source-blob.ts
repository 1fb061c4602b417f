// The source of a build made through the API (POST /apps/{app}/builds): source_blob.url is a
// tarball (gzip or plain tar) fetched over http(s). This platform may have no network access: then
// the build fails saying so. A tarball whose only entry is a directory (GitHub's archives) has
// that directory as the app's root.
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {createWriteStream} from 'node:fs'
import {lstat, mkdir, readdir, rename, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {Readable, Transform} from 'node:stream'
import {pipeline} from 'node:stream/promises'

import {BuildFailure} from './runner.js'

export const MAX_SOURCE_BYTES = 512 * 1024 * 1024

export async function downloadSource(url: string, target: string, options: {checksum: null | string, signal?: AbortSignal, timeoutMs?: number}): Promise<void> {
  if (!/^https?:\/\//i.test(url)) throw new BuildFailure(`Cannot fetch the source from ${url}: only http(s) URLs are supported.`)
  let response: Response
  try {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 120_000)
    response = await fetch(url, {signal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout, redirect: 'follow'})
  } catch (error) {
    const {cause} = (error as {cause?: {code?: string, message?: string}})
    throw new BuildFailure(`Could not download the source from ${redact(url)}: ${cause?.code ?? cause?.message ?? (error as Error).message}. This platform may have no network access; deploy with git push instead.`)
  }

  if (!response.ok || response.body === null) {
    throw new BuildFailure(`Could not download the source from ${redact(url)}: HTTP ${response.status}.`)
  }

  const hash = createHash('sha256')
  let size = 0
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length
      if (size > MAX_SOURCE_BYTES) {
        done(new BuildFailure(`The source is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MB.`))
        return
      }

      hash.update(chunk)
      done(null, chunk)
    },
  })
  await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), meter, createWriteStream(target, {mode: 0o600}))
  const checksum = `SHA256:${hash.digest('hex')}`
  if (options.checksum !== null && options.checksum.toLowerCase() !== checksum.toLowerCase()) {
    throw new BuildFailure(`The source's checksum ${checksum} does not match the build's ${options.checksum}.`)
  }
}

/** Unpacks the tarball into a new `buildDir`. */
export async function extractSource(tarball: string, buildDir: string): Promise<void> {
  const unpacked = `${buildDir}.unpacked`
  await mkdir(unpacked, {recursive: true})
  await new Promise<void>((resolve, reject) => {
    // GNU tar recognises gzip by itself; --no-same-owner/permissions: never take them from the archive
    const tar = spawn('tar', ['-x', '--no-same-owner', '--no-same-permissions', '-f', tarball, '-C', unpacked], {stdio: ['ignore', 'ignore', 'pipe']})
    let errors = ''
    tar.stderr.setEncoding('utf8').on('data', (c: string) => {
      errors += c
    })
    tar.on('error', reject)
    tar.on('close', code => (code === 0 ? resolve() : reject(new BuildFailure(`The source is not a tar archive (tar: ${errors.trim().split('\n')[0]}).`))))
  })
  const entries = await readdir(unpacked)
  // one top-level directory is the app (GitHub's archives have one); lstat: never a link to a
  // directory of this machine taken for the app
  const only = entries.length === 1 ? await lstat(join(unpacked, entries[0])) : undefined
  if (only?.isSymbolicLink()) throw new BuildFailure('The source archive holds only a symbolic link: it must contain the app\'s files.')
  const root = only?.isDirectory() ? join(unpacked, entries[0]) : unpacked
  await rename(root, buildDir)
  await rm(unpacked, {recursive: true, force: true})
}

function redact(url: string): string {
  const parsed = new URL(url)
  parsed.username = ''
  parsed.password = ''
  parsed.search = parsed.search ? '?…' : ''
  return parsed.toString()
}
