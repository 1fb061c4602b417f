// Promotion: the upstream app's current slug becomes a new release of each downstream app — no
// rebuild — with the downstream app's own config. Per target:
//   copy the slug  → a slug record of the target app (slugs are per app) whose tarball is a hard
//                    link to (or, across devices, a copy of) the source's, so that destroying
//                    either app leaves the other's slug whole;
//   release        → releaseApp (changes.ts) in the same transaction as the slug record and the
//                    target's release id: nothing half-made;
//   wait           → a slug with a release phase makes the release pending until its release
//                    command ran (build/release-phase.ts); failed, the app stays on its release;
//   outcome        → the target succeeded or failed with an error_message.
// The promotion is `completed` once every target has an outcome. A promotion a stopped platform
// left pending is resumed the next time someone looks at it (resumePromotion): targets with a
// release wait for it (the release phase failed any cut-short release at start), the others
// are promoted then.
import {copyFile, link, rm} from 'node:fs/promises'

import type {PlatformContext} from '../api/context.js'

import {slugBlobPath} from '../api/capability-urls.js'
import {commitChange, releaseApp} from '../changes.js'
import {newId} from '../ids.js'
import {findAppById, parseConfig} from '../store/apps.js'
import {
  completePromotion, findPromotionById, listPromotionTargets, type PromotionRow, type PromotionTargetRow, updatePromotionTarget,
} from '../store/pipelines.js'
import {findReleaseById} from '../store/releases.js'
import {findSlug, insertSlug, recordSlugBlob} from '../store/slugs.js'

/** promotions this process is running now (by id): one runner each */
const running = new Map<string, Promise<void>>()

/** how often a target's pending release is looked at */
const RELEASE_POLL_MS = 200

/** Runs (or joins the run of) a promotion until every target has an outcome. */
export function runPromotion(platform: PlatformContext, promotionId: string): Promise<void> {
  let run = running.get(promotionId)
  if (!run) {
    run = execute(platform, promotionId)
      .catch(error => platform.log(`promotion ${promotionId}: ${(error as Error).message}`))
      .finally(() => running.delete(promotionId))
    running.set(promotionId, run)
  }

  return run
}

/** A pending promotion nobody runs (the platform stopped during it) is taken up again. */
export function resumePromotion(platform: PlatformContext, promotion: PromotionRow): void {
  if (promotion.status === 'pending' && !running.has(promotion.id)) void runPromotion(platform, promotion.id)
}

async function execute(platform: PlatformContext, promotionId: string): Promise<void> {
  const {store} = platform
  const promotion = findPromotionById(store, promotionId)
  if (!promotion || promotion.status !== 'pending') return
  await Promise.all(listPromotionTargets(store, promotionId).filter(t => t.status === 'pending').map(async target => {
    let outcome: {error?: string, status: 'failed' | 'succeeded'}
    try {
      const releaseId = target.release_id ?? await release(platform, promotion, target)
      outcome = await releaseOutcome(platform, releaseId)
    } catch (error) {
      outcome = {status: 'failed', error: (error as Error).message}
    }

    updatePromotionTarget(store, target.id, {status: outcome.status, errorMessage: outcome.error ?? null})
  }))
  completePromotion(store, promotionId)
}

/** Copies the source slug to the target app and releases it there; the release's id. */
async function release(platform: PlatformContext, promotion: PromotionRow, target: PromotionTargetRow): Promise<string> {
  const {store, dataDir} = platform
  const sourceApp = findAppById(store, promotion.source_app_id)
  const sourceSlug = findSlug(store, promotion.source_app_id, promotion.source_slug_id)
  if (!sourceApp || !sourceSlug) throw new Error('The app promoted from, or its slug, no longer exists.')
  if (!findAppById(store, target.app_id)) throw new Error('The app no longer exists.')
  const slugId = newId()
  const from = slugBlobPath(dataDir, sourceSlug.id)
  const to = slugBlobPath(dataDir, slugId)
  try {
    await link(from, to)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`The slug of ${sourceApp.name} has no uploaded tarball to promote.`)
    await copyFile(from, to)
  }

  const sourceRelease = findReleaseById(store, promotion.source_release_id)
  try {
    return commitChange(platform, pending => {
      const app = findAppById(store, target.app_id)
      if (!app) throw new Error('The app no longer exists.')
      insertSlug(store, {
        id: slugId, appId: app.id, processTypes: JSON.parse(sourceSlug.process_types) as Record<string, string>, checksum: sourceSlug.checksum,
        commit: sourceSlug.commit_sha, commitDescription: sourceSlug.commit_description, buildpackProvidedDescription: sourceSlug.buildpack_provided_description,
      })
      if (sourceSlug.size !== null && sourceSlug.checksum !== null) recordSlugBlob(store, slugId, sourceSlug.size, sourceSlug.checksum)
      const made = releaseApp(store, pending, app, {
        userId: promotion.user_id, description: `Promote ${sourceApp.name} v${sourceRelease?.version ?? '?'}`, config: parseConfig(app.config), slugId,
      })
      updatePromotionTarget(store, target.id, {releaseId: made.id})
      return made.id
    })
  } catch (error) {
    await rm(to, {force: true})
    throw error
  }
}

/** Waits while the release's release command runs. */
async function releaseOutcome(platform: PlatformContext, releaseId: string): Promise<{error?: string, status: 'failed' | 'succeeded'}> {
  for (;;) {
    const release = findReleaseById(platform.store, releaseId)
    if (!release) return {status: 'failed', error: 'The release no longer exists (the app was destroyed).'}
    if (release.status === 'succeeded') return {status: 'succeeded'}
    if (release.status === 'failed') {
      const reason = release.output.trim().split('\n').at(-1)
      return {status: 'failed', error: `Release v${release.version} failed${reason ? `: ${reason}` : ''}`}
    }

    await new Promise(resolve => setTimeout(resolve, RELEASE_POLL_MS).unref())
  }
}
