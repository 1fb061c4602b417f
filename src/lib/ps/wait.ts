// `heroku ps:wait`: polls until every dyno runs the app's newest release, and gives up with the
// reason (a crashed dyno, a failed release, the timeout) instead of waiting forever.
import type {Dyno, Formation} from '@heroku-cli/schema'

import {setTimeout as realSleep} from 'node:timers/promises'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'
import {UserError} from '../errors.js'
import {newestRelease} from '../releases/newest.js'

export interface WaitForDynosOptions {
  api: ApiClient
  app: string
  intervalMs: number
  now?: () => number
  out: Output
  sleep?: (ms: number) => Promise<void>
  /** give up after this long; none: wait as long as it takes (a crash or failure still ends it) */
  timeoutMs?: number
  /** only dynos of this process type */
  type?: string
  /** one-off (run) dynos count too */
  withRun?: boolean
}

export async function waitForDynos(opts: WaitForDynosOptions): Promise<Dyno[]> {
  const {api, app, out} = opts
  const sleep = opts.sleep ?? realSleep
  const now = opts.now ?? Date.now
  const deadline = opts.timeoutMs === undefined ? Infinity : now() + opts.timeoutMs
  const what = opts.type ? `${opts.type} dynos` : 'dynos'
  let spinner: Awaited<ReturnType<Output['spinner']>> | undefined
  const fail = (message: string, hint?: string): never => {
    spinner?.fail('failed')
    throw new UserError(message, {hint})
  }

  for (;;) {
    const release = await newestRelease(api, app)
    if (!release) fail(`${app} has no releases yet: there is nothing to wait for.`, 'Deploy it first: git push heroku main')
    const version = `v${release!.version}`
    if (release!.status === 'failed') {
      fail(`${version} failed: its release phase did not succeed, so it never went live.`, `See heroku releases:info ${version} -a ${app}; fix the release command and deploy again (or heroku releases:retry).`)
    }

    const wanted = (type?: string) => (opts.type ? type === opts.type : true)

    const [formation, all] = await Promise.all([api.list<Formation>(paths.app(app).formation()), api.list<Dyno>(paths.app(app).dyno())])
    const dynos = all.filter(d => wanted(d.type) && (opts.withRun || d.type !== 'run'))
    // right after a release its dynos may not be listed yet: the formation says how many to expect
    const expected = Math.max(dynos.filter(d => d.type === 'run').length + formation.filter(f => wanted(f.type)).reduce((n, f) => n + (f.quantity ?? 0), 0), dynos.length)
    const current = dynos.filter(d => d.release?.id === release!.id)
    const crashed = current.filter(d => d.state === 'crashed')
    if (crashed.length > 0) {
      fail(`${crashed.map(d => d.name).join(', ')} crashed on ${version}.`, `See why: heroku logs -a ${app}${crashed.length === 1 ? ` --dyno ${crashed[0].name}` : ''}`)
    }

    const ready = current.filter(d => d.state === 'up')
    const summary = `${ready.length} of ${expected} ${what} up on ${version}`
    if (release!.status !== 'pending' && ready.length === expected) {
      if (spinner) spinner.succeed(summary)
      else out.info(expected === 0 ? `${app} has no ${what} to wait for (${version}).` : `All ${what} are up on ${version}.`)
      return dynos
    }

    spinner ??= await out.spinner(`Waiting for every ${what.replace(/s$/, '')} of ${app} to be up on ${version}`)
    spinner.update(summary)
    if (now() + opts.intervalMs > deadline) {
      fail(`Timed out: ${release!.status === 'pending' ? `${version} is still pending (its release phase is running)` : summary}.`, 'Wait longer with --timeout, or see heroku ps.')
    }

    await sleep(opts.intervalMs)
  }
}
