import type {AddOn} from '@heroku-cli/schema'

import {setTimeout as realSleep} from 'node:timers/promises'

import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {paths} from '../api/paths.js'
import {UserError} from '../errors.js'
import {withClient} from './connection.js'
import {resolveDatabase} from './resolve.js'

export interface PgWaitOptions {
  api: ApiClient
  app: string
  /** one database; all the app's heroku-postgresql add-ons when absent */
  database?: string
  intervalMs?: number
  out: Output
  sleep?: (ms: number) => Promise<void>
  /** how long a database may take to accept connections once provisioned */
  timeoutMs?: number
}

/**
 * pg:wait: until each database is provisioned and accepts a connection. Heroku waits for its
 * own provisioning API; here the add-on's state and a real connection are what counts.
 */
export async function pgWait(opts: PgWaitOptions): Promise<Array<{addon: string, state: string}>> {
  const sleep = opts.sleep ?? realSleep
  const interval = opts.intervalMs ?? 2000
  const addons: AddOn[] = opts.database ? [await findPg(opts)] : (await opts.api.get<AddOn[]>(paths.app(opts.app).addons())).filter(a => a.addon_service?.name === 'heroku-postgresql')
  const done: Array<{addon: string, state: string}> = []
  for (let addon of addons) {
    const spinner = await opts.out.spinner(`Waiting for database ${addon.name}`)
    try {
      while (addon.state === 'provisioning') {
        await sleep(interval)

        addon = await opts.api.get<AddOn>(paths.addon(addon.id))
      }

      if (addon.state !== 'provisioned') throw new UserError(`${addon.name} is ${addon.state}: it will not become available.`, {hint: `See heroku addons:info ${addon.name}.`})

      const db = await resolveDatabase({api: opts.api, app: opts.app, database: addon.id, service: 'heroku-postgresql', defaultAttachment: 'DATABASE'})
      await untilAnswering(db.url, Date.now() + (opts.timeoutMs ?? 60_000), () => sleep(interval))

      spinner.succeed('available')
      done.push({addon: addon.name, state: 'available'})
    } catch (error) {
      spinner.fail()
      throw error
    }
  }

  return done
}

async function findPg(opts: PgWaitOptions): Promise<AddOn> {
  const addon = await opts.api.get<AddOn>(paths.app(opts.app).addon(opts.database!.replace(/_URL$/i, '')).self)
  if (addon.addon_service?.name !== 'heroku-postgresql') throw new UserError(`${addon.name} is not a heroku-postgresql add-on.`)
  return addon
}

/** Until the database answers a query; the last error once the deadline passed. */
async function untilAnswering(url: string, deadline: number, pause: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      await withClient(url, client => client.query('SELECT 1'))
      return
    } catch (error) {
      if (Date.now() > deadline) throw error
      await pause()
    }
  }
}
