// The deploy path for `git push` (and for builds made with POST /apps/{app}/builds, whose
// receive stage downloads the source_blob instead), as named stages:
//   receive  (git/smart-http.ts, git/hook.ts) → the pushed commit and its ref, during pre-receive
//   build    checkout (git archive, no .git) → buildpacks (runner.ts) → slug tarball (slug.ts)
//   release  slug record + release ("Deploy <sha>") + build result in ONE transaction, then
//            release.created — the dyno supervisor runs it and the router routes to it
// A failed build records status "failed" and changes nothing else: the current release keeps
// running, the refs do not move and `git push` fails with the reason.
//
// One build at a time per app: a second push while one builds is refused with a clear message.
// Build output goes live to the pusher (hook response), to output_stream_url readers and, line by
// line, to the log sink (source app, dyno build); the complete text is stored in the build record.
import {type ChildProcess, execFile, spawn} from 'node:child_process'
import {existsSync, statSync} from 'node:fs'
import {mkdir, readdir, rm, writeFile} from 'node:fs/promises'
import {join, resolve, sep} from 'node:path'
import {promisify} from 'node:util'

import type {PlatformUrls} from '../api/context.js'
import type {PlatformEvents} from '../events.js'
import type {HookRequest, PushSession} from '../git/hook.js'
import type {LogSink} from '../logs/log-sink.js'
import type {SandboxStatus} from '../sandbox/sandbox.js'
import type {Store} from '../store/database.js'
import type {ReleasePhase} from './release-phase.js'

import {commitChange, releaseApp} from '../changes.js'
import {platformMarker} from '../dynos/processes.js'
import {git, gitEnv, installHooks, removeRepo} from '../git/repos.js'
import {newId} from '../ids.js'
import {appUser} from '../sandbox/app-user.js'
import {type AccountRow, findAccountById} from '../store/accounts.js'
import {type AppRow, findAppById, parseConfig} from '../store/apps.js'
import {listBuildpackInstallations} from '../store/buildpack-installations.js'
import {failInterruptedBuilds, findBuildById, finishBuild, insertBuild, listPendingBuilds, setBuildOutput, type SourceBlob} from '../store/builds.js'
import {findSlugById, insertSlug, recordSlugBlob} from '../store/slugs.js'
import {BuildpackError, resolveBuildpack, type ResolvedBuildpack} from './buildpacks.js'
import {BuildOutput} from './output.js'
import {BuildFailure, runBuildpacks} from './runner.js'
import {packSlug, slugPath} from './slug.js'
import {applySlugignore} from './slugignore.js'
import {downloadSource, extractSource} from './source-blob.js'

const execFileAsync = promisify(execFile)

async function chownTree(paths: string[], uid: number): Promise<void> {
  await execFileAsync('chown', ['-R', `${uid}:${uid}`, ...paths])
}

export const DEPLOY_BRANCHES = ['refs/heads/main', 'refs/heads/master'] as const
const ZERO_SHA = /^0{40}$/
const OUTPUT_FLUSH_MS = 2000

export interface DeployerOptions {
  dataDir: string
  events: PlatformEvents
  log: (line: string) => void
  logSink: LogSink
  /** runs a release's release command before it goes live; without one a release is live at once */
  releasePhase?: ReleasePhase
  /** how buildpack scripts are confined; unconfined without one */
  sandbox?: SandboxStatus
  /** per buildpack script; default 15 minutes */
  scriptTimeoutMs?: number
  store: Store
  urls: PlatformUrls
}

export const noopLogSink: LogSink = {write() {}}

export class Deployer {
  /** app id → the build running for it */
  private readonly running = new Map<string, {buildId: string}>()
  /** build id → its live output, while it runs */
  private readonly outputs = new Map<string, BuildOutput>()
  private readonly background = new Set<Promise<unknown>>()
  /** builds the git path created (build.created is for the API's builds only here) */
  private readonly gitBuilds = new Set<string>()
  /** slugs whose tarball is written but whose record is not committed yet */
  private readonly slugsInProgress = new Set<string>()
  private readonly unsubscribe: () => void
  /** aborted on close: stops source downloads */
  private readonly closing = new AbortController()
  private closed = false

  private constructor(private readonly options: DeployerOptions) {
    const unsubscribers = [
      options.events.on('app.deleted', ({appId}) => {
        this.track(Promise.all([removeRepo(options.dataDir, appId), rm(this.cacheDir(appId), {recursive: true, force: true}), this.removeOrphanSlugs()]))
      }),
      options.events.on('build.created', ({appId, buildId}) => {
        if (this.gitBuilds.delete(buildId) || this.closed) return
        this.track(this.buildFromApi(appId, buildId))
      }),
    ]
    this.unsubscribe = () => {
      for (const unsubscribe of unsubscribers) unsubscribe()
    }
  }

  static async start(options: DeployerOptions): Promise<Deployer> {
    await installHooks(options.dataDir)
    // a platform that stopped mid-build left those builds pending: they will never finish
    const interrupted = listPendingBuilds(options.store)
    if (interrupted.length > 0) {
      options.store.transaction(() => failInterruptedBuilds(options.store, interrupted.map(b => b.id), '\n !     The platform stopped during this build.\n'))
    }

    await rm(join(options.dataDir, 'builds'), {recursive: true, force: true})
    return new Deployer(options)
  }

  liveOutput(buildId: string): BuildOutput | undefined {
    return this.outputs.get(buildId)
  }

  /** Builds and releases a push (called from the pre-receive hook); resolves to the hook's exit code. */
  async deployPush(session: PushSession, request: HookRequest, output: BuildOutput, account: AccountRow): Promise<number> {
    const refusal = this.checkRefs(request)
    if (refusal !== undefined) {
      output.line(` !     ${refusal}`)
      return 1
    }

    const update = request.refs[0]
    const app = findAppById(this.options.store, session.appId)
    if (app === undefined || this.closed) {
      output.line(` !     ${this.closed ? 'The platform is shutting down; push again in a moment.' : 'This app no longer exists.'}`)
      return 1
    }

    if (!quarantineInside(request.quarantine, session.repoDir)) {
      output.line(' !     Refused: the push came with an unexpected object directory.')
      return 1
    }

    if (this.running.has(app.id)) {
      output.line(` !     Another build is running for ${app.name}: wait for it to finish, then push again.`)
      return 1
    }

    const build = commitChange(this.options, pending => {
      const created = insertBuild(this.options.store, {
        appId: app.id,
        userId: account.id,
        // the source of a git build is the app's repository at the pushed commit
        sourceBlob: {url: this.options.urls.gitUrl(app.name), checksum: null, version: update.newSha, version_description: null},
        buildpacks: null,
      })
      this.gitBuilds.add(created.id)
      pending.add('build.created', {appId: app.id, appName: app.name, buildId: created.id})
      return created
    })
    this.running.set(app.id, {buildId: build.id})
    this.outputs.set(build.id, output)
    const work = join(this.options.dataDir, 'builds', build.id)
    const env = gitEnv({GIT_DIR: session.repoDir, ...request.quarantine})
    const sha = update.newSha
    const source: BuildSource = {
      pushed: true,
      version: sha,
      releaseDescription: `Deploy ${sha.slice(0, 8)}`,
      async fetch(buildDir) {
        await mkdir(buildDir, {recursive: true})
        const [commitDescription] = await Promise.all([git(['log', '-1', '--format=%s', sha], {env}).then(s => s.trim()), checkout(env, sha, buildDir)])
        return {commit: sha, commitDescription}
      },
      // clones check out the branch that was deployed last
      afterRelease: () => this.track(git(['symbolic-ref', 'HEAD', update.ref], {env: gitEnv({GIT_DIR: session.repoDir})})),
    }
    try {
      return await this.buildAndRelease(app, account, build.id, source, work, output)
    } finally {
      this.running.delete(app.id)
      this.track(rm(work, {recursive: true, force: true}))
    }
  }

  /** Runs a build created with POST /apps/{app}/builds: its source_blob is downloaded. */
  private async buildFromApi(appId: string, buildId: string): Promise<void> {
    const {store} = this.options
    const build = findBuildById(store, buildId)
    const app = findAppById(store, appId)
    const account = build && findAccountById(store, build.user_id)
    if (build === undefined || app === undefined || account === undefined) return
    const output = new BuildOutput(app.id, this.options.logSink)
    if (this.running.has(app.id)) {
      output.line(` !     Another build is running for ${app.name}: wait for it to finish, then build again.`)
      this.finish(buildId, output, () => finishBuild(store, buildId, {status: 'failed', output: output.content}))
      return
    }

    this.running.set(app.id, {buildId})
    this.outputs.set(buildId, output)
    const blob = JSON.parse(build.source_blob) as SourceBlob
    const work = join(this.options.dataDir, 'builds', buildId)
    const closing = this.closing.signal
    const source: BuildSource = {
      pushed: false,
      version: blob.version ?? buildId,
      releaseDescription: `Deploy ${blob.version ? blob.version.slice(0, 8) : buildId.slice(0, 8)}`,
      buildpacks: build.buildpacks === null ? null : JSON.parse(build.buildpacks) as {name?: string, url?: string}[],
      async fetch(buildDir, workDir) {
        const tarball = join(workDir, 'source.tgz')
        await mkdir(workDir, {recursive: true})
        output.step('Fetching the source')
        await downloadSource(blob.url, tarball, {checksum: blob.checksum, signal: closing})
        await extractSource(tarball, buildDir)
        return {commit: blob.version, commitDescription: blob.version_description}
      },
    }
    try {
      await this.buildAndRelease(app, account, buildId, source, work, output)
    } finally {
      this.running.delete(app.id)
      this.track(rm(work, {recursive: true, force: true}))
    }
  }

  /** Stops taking pushes and waits for the ones in progress. */
  async close(): Promise<void> {
    this.closed = true
    this.unsubscribe()
    this.closing.abort()
    while (this.running.size > 0 || this.background.size > 0) {
      await Promise.allSettled([...this.background, new Promise(r => setTimeout(r, 50))])
    }
  }

  /** Slug tarballs whose record is gone (the app was deleted: its slugs went with it). */
  private async removeOrphanSlugs(): Promise<void> {
    const dir = join(this.options.dataDir, 'slugs')
    const names = await readdir(dir).catch(() => [] as string[])
    for (const name of names) {
      const id = /^([0-9a-f-]{36})\.tgz$/.exec(name)?.[1]
      if (id === undefined || this.slugsInProgress.has(id) || findSlugById(this.options.store, id) !== undefined) continue
      await rm(join(dir, name), {force: true})
    }
  }

  private checkRefs(request: HookRequest): string | undefined {
    if (request.refs.length === 0) return 'Nothing to deploy.'
    const others = request.refs.filter(r => !(DEPLOY_BRANCHES as readonly string[]).includes(r.ref))
    if (others.length > 0) {
      return `Pushed ${others.map(r => r.ref.replace(/^refs\/heads\//, '')).join(', ')}: push to main or master to deploy (git push heroku HEAD:main).`
    }

    if (request.refs.length > 1) return 'Push one deploy branch at a time (main or master), not both.'
    if (ZERO_SHA.test(request.refs[0].newSha)) return 'Deleting the deploy branch is not supported.'
    return undefined
  }

  private cacheDir(appId: string): string {
    return join(this.options.dataDir, 'cache', appId)
  }

  /** The stages after receive, the same for a git push and a build made through the API. */
  private async buildAndRelease(app: AppRow, account: AccountRow, buildId: string, source: BuildSource, work: string, output: BuildOutput): Promise<number> {
    const {store, dataDir} = this.options
    const slugId = newId()
    let buildpacks: ResolvedBuildpack[] = []
    let description = ''
    let slugWritten = false
    const started = Date.now()
    // stage timings for the platform log (one line a build)
    const stages: string[] = []
    let mark = started
    const stage = (name: string): void => {
      const now = Date.now()
      stages.push(`${name} ${now - mark}ms`)
      mark = now
    }

    // the output so far is stored every few seconds: after a crash the build record keeps it
    let stored = 0
    const flusher = setInterval(() => {
      if (output.content.length === stored) return
      stored = output.content.length
      try {
        store.transaction(() => setBuildOutput(store, buildId, output.content))
      } catch (error) {
        this.options.log(`storing the output of build ${buildId} failed: ${(error as Error).message}`)
      }
    }, OUTPUT_FLUSH_MS)
    try {
      output.step('Building on the heroku-24 stack')
      const dirs = {buildDir: join(work, 'app'), cacheDir: this.cacheDir(app.id), envDir: join(work, 'env'), homeDir: join(work, 'home')}
      await Promise.all([mkdir(dirs.cacheDir, {recursive: true}), mkdir(dirs.envDir, {recursive: true}), mkdir(dirs.homeDir, {recursive: true})])
      const [{commit, commitDescription}] = await Promise.all([source.fetch(dirs.buildDir, work), writeEnvDir(dirs.envDir, parseConfig(app.config))])
      const ignored = await applySlugignore(dirs.buildDir, work)
      if (ignored.length > 0) output.step(`Removed ${ignored.length} path${ignored.length === 1 ? '' : 's'} matching .slugignore`)
      stage('checkout')
      const requested = source.buildpacks ?? listBuildpackInstallations(store, app.id)
      try {
        buildpacks = requested.map(b => resolveBuildpack({url: b.url ?? b.name ?? '', name: b.name ?? b.url ?? ''}))
      } catch (error) {
        if (error instanceof BuildpackError) throw new BuildFailure(error.message)
        throw error
      }

      const sandbox = this.options.sandbox ?? {enabled: false, separateUsers: false}
      const uid = appUser(store, app.id, sandbox)
      // the scripts run as the app's own user: the build dirs become its
      // (the cache only when it is not the app's yet: what builds put in it already is)
      if (uid !== undefined) await chownTree([dirs.buildDir, dirs.envDir, dirs.homeDir, ...(statSync(dirs.cacheDir).uid === uid ? [] : [dirs.cacheDir])], uid)
      const result = await runBuildpacks({
        dirs, buildpacks, output, sourceVersion: source.version, timeoutMs: this.options.scriptTimeoutMs ?? 15 * 60_000,
        sandbox: {status: sandbox, uid, dataDir, marker: platformMarker(dataDir)},
        onDetected(detected, detectedDescription) {
          buildpacks = detected
          description = detectedDescription
        },
      })
      buildpacks = result.buildpacks
      description = result.description
      stage('buildpacks')
      output.step('Discovering process types')
      const types = Object.keys(result.processTypes)
      if (existsSync(join(dirs.buildDir, 'Procfile'))) output.detail(`Procfile declares types -> ${types.join(', ') || '(none)'}`)
      else output.detail(`Default types for buildpack -> ${types.join(', ') || '(none)'}`)
      if (!('web' in result.processTypes)) output.detail('No web process type: the app gets no HTTP traffic (add "web: <command>" to a Procfile).')

      output.step('Compressing...')
      this.slugsInProgress.add(slugId)
      slugWritten = true
      const {size, checksum} = await packSlug(dataDir, slugId, dirs.buildDir)
      output.detail(`Done: ${humanSize(size)}`)
      stage('slug')

      output.step('Launching...')
      const release = commitChange(this.options, pending => {
        const current = findAppById(store, app.id)
        if (current === undefined) throw new BuildFailure('The app was deleted during the build.')
        insertSlug(store, {
          id: slugId, appId: app.id, processTypes: result.processTypes, checksum, commit, commitDescription,
          buildpackProvidedDescription: description,
        })
        recordSlugBlob(store, slugId, size, checksum)
        const created = releaseApp(store, pending, current, {userId: account.id, description: source.releaseDescription, config: parseConfig(current.config), slugId})
        finishBuild(store, buildId, {status: 'succeeded', output: output.content, slugId, releaseId: created.id, buildpacks: refs(buildpacks)})
        return created
      })
      this.slugsInProgress.delete(slugId)
      stage('release')
      this.options.log(`build ${buildId} of ${app.name} succeeded: ${stages.join(', ')}`)
      if (release.status === 'pending' && this.options.releasePhase) {
        // the release phase: the release goes live only if its release command succeeds
        output.step('Running release command...')
        const phase = await this.options.releasePhase.run(release.id, line => output.detail(line))
        stage('release phase')
        if (phase.status === 'failed') {
          output.line(` !     ${phase.reason ?? 'The release command failed.'}`)
          output.line(` !     Release v${release.version} failed: the app keeps running its current release.`)
          this.finish(buildId, output, () => setBuildOutput(store, buildId, output.content))
          return 1
        }
      }

      output.detail(`Released v${release.version}`)
      output.detail(`${this.options.urls.appWebUrl(findAppById(store, app.id)?.name ?? app.name)} deployed to the local platform (${((Date.now() - started) / 1000).toFixed(1)} s)`)
      source.afterRelease?.()
      this.finish(buildId, output, () => setBuildOutput(store, buildId, output.content))
      return 0
    } catch (error) {
      if (slugWritten) await rm(slugPath(dataDir, slugId), {force: true})
      this.slugsInProgress.delete(slugId)
      const reason = error instanceof BuildFailure ? error.message : `The build failed unexpectedly: ${(error as Error).message}`
      if (!(error instanceof BuildFailure)) this.options.log(`build ${buildId} of ${app.name}: ${(error as Error).stack ?? String(error)}`)
      output.line(` !     ${reason}`)
      output.line(` !     ${source.pushed ? 'Push rejected' : 'Build failed'}${description ? `, failed to build ${description} app` : ''}. The app keeps running its current release.`)
      this.finish(buildId, output, () => finishBuild(store, buildId, {status: 'failed', output: output.content, buildpacks: buildpacks.length > 0 ? refs(buildpacks) : null}))
      return 1
    } finally {
      clearInterval(flusher)
    }
  }

  /** Stores the final output, then ends the live stream (readers after this read the record). */
  private finish(buildId: string, output: BuildOutput, store: () => void): void {
    try {
      this.options.store.transaction(store)
    } catch (error) {
      this.options.log(`storing the output of build ${buildId} failed: ${(error as Error).message}`)
    }

    output.end()
    this.outputs.delete(buildId)
    const build = findBuildById(this.options.store, buildId)
    const app = build && findAppById(this.options.store, build.app_id)
    if (app && build && build.status !== 'pending') {
      this.options.events.emit('build.finished', {appId: app.id, appName: app.name, buildId, status: build.status as 'failed' | 'succeeded'})
    }
  }

  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch(error => this.options.log(`deploy housekeeping failed: ${(error as Error).message}`)).finally(() => this.background.delete(tracked))
    this.background.add(tracked)
  }
}

/** Where a build's source comes from: a pushed commit, or a source tarball given to the API. */
interface BuildSource {
  afterRelease?: () => void
  /** buildpacks given with the build (API builds); otherwise the app's */
  buildpacks?: null | {name?: string, url?: string}[]
  /** creates `buildDir` with the app's source in it (no .git) */
  fetch(buildDir: string, work: string): Promise<{commit: null | string, commitDescription: null | string}>
  /** a git push (whose failure rejects the push) rather than an API build */
  pushed: boolean
  releaseDescription: string
  /** SOURCE_VERSION for the buildpacks */
  version: string
}

const refs = (buildpacks: readonly ResolvedBuildpack[]) => buildpacks.map(({url, name}) => ({url, name}))

/** Receive-pack's quarantine dirs must be inside this app's repository. */
function quarantineInside(quarantine: Record<string, string>, repo: string): boolean {
  const root = resolve(repo) + sep
  return Object.values(quarantine).every(value => value.split(':').every(path => path === '' || resolve(path).startsWith(root) || resolve(path) === resolve(repo)))
}

/** The pushed commit's tree into `target`: git archive | tar -x (argument arrays, no shell). */
async function checkout(env: NodeJS.ProcessEnv, sha: string, target: string): Promise<void> {
  const archive = spawn('git', ['archive', '--format=tar', sha], {env, stdio: ['ignore', 'pipe', 'pipe']})
  const tar = spawn('tar', ['-x', '-C', target], {stdio: ['pipe', 'ignore', 'pipe']})
  let errors = ''
  const collect = (c: string) => {
    errors += c
  }

  archive.stderr.setEncoding('utf8').on('data', collect)
  tar.stderr.setEncoding('utf8').on('data', collect)
  archive.stdout.pipe(tar.stdin)
  tar.stdin.on('error', () => {})
  const exited = (child: ChildProcess) => new Promise<null | number>((done, fail) => {
    child.on('error', fail)
    child.on('close', code => done(code))
  })
  const [archiveCode, tarCode] = await Promise.all([exited(archive), exited(tar)])
  if (archiveCode !== 0 || tarCode !== 0) throw new Error(`checking out ${sha} failed: ${errors.trim() || `git archive exit ${archiveCode}, tar exit ${tarCode}`}`)
}

/** ENV_DIR: one file per config var, named after it, containing its value. */
async function writeEnvDir(dir: string, config: Record<string, string>): Promise<void> {
  await Promise.all(Object.entries(config)
    .filter(([name]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    .map(([name, value]) => writeFile(join(dir, name), value, {mode: 0o600})))
}

function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)}K`
  return `${(bytes / 1024 / 1024).toFixed(1)}M`
}
