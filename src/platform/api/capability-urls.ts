// URLs that carry their own secret instead of an Authorization header:
//   GET /log-sessions/{secret}        the app's log lines, streamed by the log router (logs/log-session-stream.ts)
//   GET /build-outputs/{id}/{sig}     a build's output so far
//   GET /release-outputs/{id}/{sig}   a release's release-phase output (so far, while it runs)
//   PUT /slug-blobs/{id}/{sig}        upload a slug tarball
//   GET /pg-backup-downloads/{id}?…   a heroku-postgresql backup (api/pg-backups.ts)

import type {IncomingMessage, ServerResponse} from 'node:http'

import {createHash} from 'node:crypto'
import {createWriteStream} from 'node:fs'
import {mkdir, rename, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {Transform} from 'node:stream'
import {pipeline} from 'node:stream/promises'

import type {PlatformContext} from './context.js'

import {hashToken} from '../auth/secrets.js'
import {ApiError, invalidParams, notFound} from '../http/errors.js'
import {sendJson, sendText} from '../http/respond.js'
import {streamLogSession} from '../logs/log-session-stream.js'
import {findBuildById} from '../store/builds.js'
import {findLiveLogSession, type LogSessionOptions} from '../store/log-sessions.js'
import {findReleaseById} from '../store/releases.js'
import {findSlugById, recordSlugBlob} from '../store/slugs.js'
import {DOWNLOAD_PREFIX, servePgBackupDownload} from './pg-backups.js'

export const MAX_SLUG_BYTES = 1024 * 1024 * 1024

const expired = (): ApiError => notFound('This URL is unknown or has expired.')

/** Handles the request if it is for a capability URL; returns false otherwise. */
export async function handleCapabilityUrl(platform: PlatformContext, req: IncomingMessage, res: ServerResponse, segments: readonly string[]): Promise<boolean> {
  const [kind, ...rest] = segments
  if (kind === DOWNLOAD_PREFIX) return servePgBackupDownload(platform, req, res, rest)
  if (kind === 'log-sessions' && rest.length === 1 && req.method === 'GET') {
    const session = findLiveLogSession(platform.store, hashToken(rest[0]))
    if (session === undefined) throw expired()
    if (platform.logs === undefined) sendText(res, 200, '')
    else streamLogSession(platform.logs, session.app_id, JSON.parse(session.options) as LogSessionOptions, new Date(session.expires_at), req, res)
    return true
  }

  if (kind === 'build-outputs' && rest.length === 2 && req.method === 'GET') {
    const [id, signature] = rest
    const build = platform.signer.verify('build-output', id, signature) ? findBuildById(platform.store, id) : undefined
    if (build === undefined) throw expired()
    sendText(res, 200, build.output)
    return true
  }

  if (kind === 'release-outputs' && rest.length === 2 && req.method === 'GET') {
    const [id, signature] = rest
    const release = platform.signer.verify('release-output', id, signature) ? findReleaseById(platform.store, id) : undefined
    if (release === undefined) throw expired()
    sendText(res, 200, platform.releaseOutput?.(id) ?? release.output)
    return true
  }

  if (kind === 'slug-blobs' && rest.length === 2 && req.method === 'PUT') {
    const [id, signature] = rest
    const slug = platform.signer.verify('slug-blob', id, signature) ? findSlugById(platform.store, id) : undefined
    if (slug === undefined) throw expired()
    const {size, checksum} = await receiveSlug(platform.dataDir, id, req, slug.checksum)
    platform.store.transaction(() => recordSlugBlob(platform.store, id, size, checksum))
    sendJson(req, res, 200, JSON.stringify({size, checksum}))
    return true
  }

  return false
}

/** Path of an uploaded slug tarball. */
export const slugBlobPath = (dataDir: string, slugId: string): string => join(dataDir, 'slugs', `${slugId}.tgz`)

async function receiveSlug(dataDir: string, slugId: string, req: IncomingMessage, expectedChecksum: null | string): Promise<{checksum: string, size: number}> {
  const target = slugBlobPath(dataDir, slugId)
  const partial = `${target}.partial`
  await mkdir(join(dataDir, 'slugs'), {recursive: true})
  const hash = createHash('sha256')
  let size = 0
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length
      if (size > MAX_SLUG_BYTES) {
        done(new ApiError(413, 'request_too_large', `Slugs are limited to ${MAX_SLUG_BYTES} bytes.`))
        return
      }

      hash.update(chunk)
      done(null, chunk)
    },
  })
  try {
    await pipeline(req, meter, createWriteStream(partial, {mode: 0o600}))
    const checksum = `SHA256:${hash.digest('hex')}`
    if (expectedChecksum !== null && expectedChecksum !== checksum) throw invalidParams(`The upload's checksum ${checksum} does not match the slug's ${expectedChecksum}.`)
    await rename(partial, target)
    return {size, checksum}
  } catch (error) {
    await rm(partial, {force: true})
    throw error
  }
}
